using System.Net;
using Galaxy.Agent.Egress.Socks5;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// Dials through a SOCKS5 proxy (RFC 1928 CONNECT, RFC 1929 username/password). The proxy itself is reached
/// through <paramref name="transport"/> — a marked socket on the WAN, a tunnel device, or another proxy —
/// so chains are configuration. A refusal by the proxy is an outcome, never an exception. The handshake
/// itself is <see cref="Socks5Handshake"/>, run by the splice loop when the proxy is a plain connect away.
/// </summary>
internal sealed class Socks5Dialer(string name, IPEndPoint proxy, ProxyCredentials? credentials, IEgressDialer transport, TimeSpan handshakeTimeout)
    : IUdpAssociationDialer, IInLoopConnectDialer
{
    private readonly string _label = $"SOCKS5 proxy {proxy}";

    public string Name { get; } = name;

    /// <summary>A proxy a plain connect away (the WAN, a device) is dialed and greeted in the splice loop.</summary>
    public bool CanStartInLoop => ProxyDial.InLoop(transport);

    public TimeSpan ConnectTimeout => ProxyDial.Timeout(transport, handshakeTimeout);

    public DialResult StartConnect(IPEndPoint destination, out IUpstreamHandshake? handshake)
    {
        handshake = new Socks5Handshake(proxy, credentials, Socks5Codec.CommandConnect, Socks5Address.FromEndPoint(destination));
        return ProxyDial.Start(transport, proxy, _label, ref handshake);
    }

    public async ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken)
    {
        using var handshake = new Socks5Handshake(proxy, credentials, Socks5Codec.CommandConnect, Socks5Address.FromEndPoint(destination));
        return await ProxyDial.DialAsync(transport, proxy, _label, handshake, handshakeTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens a UDP association: greeting, authentication and UDP ASSOCIATE (address 0.0.0.0:0: the datagrams come
    /// from a socket of ours whose address the proxy learns from the first one), then a UDP socket through the
    /// transport, connected to the relay address the proxy named (its own address when it named 0.0.0.0).
    /// </summary>
    public async ValueTask<(UdpAssociation? Association, DialOutcome Outcome, string? Reason)> AssociateUdpAsync(CancellationToken cancellationToken)
    {
        var any = Socks5Address.FromEndPoint(new IPEndPoint(proxy.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? IPAddress.IPv6Any : IPAddress.Any, 0));
        using var handshake = new Socks5Handshake(proxy, credentials, Socks5Codec.CommandUdpAssociate, any);
        var control = await ProxyDial.DialAsync(transport, proxy, _label, handshake, handshakeTimeout, cancellationToken).ConfigureAwait(false);
        if (control.Socket is not { } socket)
        {
            return (null, control.Outcome, control.Reason);
        }

        if (handshake.Bound.Address is not { } boundAddress)
        {
            socket.Dispose();
            return (null, DialOutcome.Failed, $"{_label} named its UDP relay by domain");
        }

        var relayEndPoint = new IPEndPoint(boundAddress.Equals(IPAddress.Any) || boundAddress.Equals(IPAddress.IPv6Any) ? proxy.Address : boundAddress,
            handshake.Bound.Port);
        DialResult relay;
        try
        {
            relay = transport.DialUdp(relayEndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (relay.Socket is not { } relaySocket)
        {
            socket.Dispose();
            return (null, relay.Outcome, $"{_label}: UDP relay {relayEndPoint}: {relay.Reason}");
        }

        return (new UdpAssociation(socket, relaySocket), DialOutcome.Connected, null);
    }

    /// <summary>UDP through SOCKS5 needs an association (<see cref="AssociateUdpAsync"/>), never a plain socket.</summary>
    public DialResult DialUdp(IPEndPoint destination) =>
        DialResult.Failure(DialOutcome.Rejected, $"{Name} carries UDP only through UDP ASSOCIATE");

    public override string ToString() => $"{Name} (socks5 {proxy} via {transport.Name})";
}
