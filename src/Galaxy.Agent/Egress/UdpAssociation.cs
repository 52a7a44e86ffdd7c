using System.Net.Sockets;

namespace Galaxy.Agent.Egress;

/// <summary>
/// A UDP association through a proxy (SOCKS5 UDP ASSOCIATE): the control connection, whose end ends the
/// association, and a UDP socket connected to the proxy's relay address. Every datagram through it carries
/// the proxy's UDP header. It owns both sockets until the relay takes them.
/// </summary>
internal sealed class UdpAssociation(Socket control, Socket relay) : IDisposable
{
    public Socket Control { get; } = control;

    public Socket Relay { get; } = relay;

    public void Dispose()
    {
        Control.Dispose();
        Relay.Dispose();
    }
}
