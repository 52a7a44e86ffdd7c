using System.Net;

namespace Galaxy.Agent.Egress;

/// <summary>
/// A dialer whose TCP connection can be started here and finished in the relay's splice loop, whose epoll
/// sees the socket become writable: a plain connect (a device, the WAN), or a proxy a plain connect away
/// whose handshake the loop then runs (<see cref="IUpstreamHandshake"/>). Then the socket never enters
/// .NET's own epoll, and no thread-pool hop follows the connection.
/// </summary>
internal interface IInLoopConnectDialer : IEgressDialer
{
    /// <summary>False when this dialer cannot dial in the loop now (a proxy behind another proxy): <see cref="IEgressDialer.DialTcpAsync"/> then.</summary>
    bool CanStartInLoop { get; }

    /// <summary>How long the connection (and handshake) may take before the flow is given up (the client is reset).</summary>
    TimeSpan ConnectTimeout { get; }

    /// <summary>
    /// A non-blocking socket with its connect started (carrying the egress's mark and device like
    /// <see cref="IEgressDialer.DialTcpAsync"/>), or a failure when it could not even start; with the handshake to
    /// run once it is connected (a proxy's), else null.
    /// </summary>
    DialResult StartConnect(IPEndPoint destination, out IUpstreamHandshake? handshake);
}
