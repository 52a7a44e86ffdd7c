using System.Net;

namespace Galaxy.Agent.Egress;

/// <summary>
/// A dialer whose TCP connection needs nothing but the kernel's handshake (a device or the WAN, no proxy
/// protocol). Such a dial can start here and finish in the relay's splice loop, whose epoll sees the
/// socket become writable. Then the socket never enters .NET's own epoll, and no thread-pool hop follows
/// the connection.
/// </summary>
internal interface IInLoopConnectDialer : IEgressDialer
{
    /// <summary>How long the connection may take before the flow is given up (the client is reset).</summary>
    TimeSpan ConnectTimeout { get; }

    /// <summary>
    /// A non-blocking socket with its connect to <paramref name="destination"/> started (carrying the
    /// egress's mark and device like <see cref="IEgressDialer.DialTcpAsync"/>), or a failure when it could
    /// not even start.
    /// </summary>
    DialResult StartConnect(IPEndPoint destination);
}
