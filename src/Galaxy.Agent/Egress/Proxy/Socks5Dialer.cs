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
    public string Name { get; } = name;

    /// <summary>
    /// A proxy reached by a plain connect (the WAN, a device) is dialed and greeted in the splice loop; one
    /// reached through another proxy goes the async way.
    /// </summary>
    public bool CanStartInLoop => transport is DeviceDialer;

    /// <summary>The connect to the proxy and the handshake together.</summary>
    public TimeSpan ConnectTimeout => ((transport as DeviceDialer)?.ConnectTimeout ?? TimeSpan.Zero) + handshakeTimeout;

    public DialResult StartConnect(IPEndPoint destination, out IUpstreamHandshake? handshake)
    {
        handshake = null;
        if (transport is not DeviceDialer device)
        {
            return DialResult.Failure(DialOutcome.Failed, $"{Name}: the proxy is not reached by a plain connect");
        }

        var connected = device.StartConnect(proxy, out _);
        if (connected.Socket is null)
        {
            return connected with { Reason = $"SOCKS5 proxy {proxy} via {transport.Name}: {connected.Reason}" };
        }

        handshake = new Socks5Handshake(proxy, credentials, Socks5Codec.CommandConnect, Socks5Address.FromEndPoint(destination));
        return connected;
    }

    public async ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken)
    {
        var connected = await transport.DialTcpAsync(proxy, cancellationToken).ConfigureAwait(false);
        if (connected.Socket is not { } socket)
        {
            return connected with { Reason = $"SOCKS5 proxy {proxy} via {transport.Name}: {connected.Reason}" };
        }

        using var handshake = new Socks5Handshake(proxy, credentials, Socks5Codec.CommandConnect, Socks5Address.FromEndPoint(destination));
        var (progress, failure) = await HandshakeAsync(socket, handshake, "handshake", cancellationToken).ConfigureAwait(false);
        if (progress != HandshakeProgress.Done)
        {
            socket.Dispose();
            return failure;
        }

        return DialResult.Connected(socket, handshake.Remainder.IsEmpty ? ReadOnlyMemory<byte>.Empty : handshake.Remainder.ToArray());
    }

    /// <summary>
    /// Opens a UDP association: greeting, authentication and UDP ASSOCIATE (address 0.0.0.0:0: the datagrams come
    /// from a socket of ours whose address the proxy learns from the first one), then a UDP socket through the
    /// transport, connected to the relay address the proxy named (its own address when it named 0.0.0.0).
    /// </summary>
    public async ValueTask<(UdpAssociation? Association, DialOutcome Outcome, string? Reason)> AssociateUdpAsync(CancellationToken cancellationToken)
    {
        var connected = await transport.DialTcpAsync(proxy, cancellationToken).ConfigureAwait(false);
        if (connected.Socket is not { } socket)
        {
            return (null, connected.Outcome, $"SOCKS5 proxy {proxy} via {transport.Name}: {connected.Reason}");
        }

        var any = Socks5Address.FromEndPoint(new IPEndPoint(proxy.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? IPAddress.IPv6Any : IPAddress.Any, 0));
        using var handshake = new Socks5Handshake(proxy, credentials, Socks5Codec.CommandUdpAssociate, any);
        var (progress, failure) = await HandshakeAsync(socket, handshake, "UDP ASSOCIATE", cancellationToken).ConfigureAwait(false);
        if (progress != HandshakeProgress.Done || handshake.Bound.Address is not { } boundAddress)
        {
            socket.Dispose();
            return (null, progress == HandshakeProgress.Done ? DialOutcome.Failed : failure.Outcome,
                progress == HandshakeProgress.Done ? $"SOCKS5 proxy {proxy} named its UDP relay by domain" : failure.Reason);
        }

        var bound = handshake.Bound;
        var relayEndPoint = new IPEndPoint(boundAddress.Equals(IPAddress.Any) || boundAddress.Equals(IPAddress.IPv6Any) ? proxy.Address : boundAddress, bound.Port);
        var relay = transport.DialUdp(relayEndPoint);
        if (relay.Socket is not { } relaySocket)
        {
            socket.Dispose();
            return (null, relay.Outcome, $"SOCKS5 proxy {proxy}: UDP relay {relayEndPoint}: {relay.Reason}");
        }

        return (new UdpAssociation(socket, relaySocket), DialOutcome.Connected, null);
    }

    /// <summary>Runs the handshake within the handshake timeout; the failure says why when it did not end Done.</summary>
    private async ValueTask<(HandshakeProgress Progress, DialResult Failure)> HandshakeAsync(
        System.Net.Sockets.Socket socket, Socks5Handshake handshake, string what, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(handshakeTimeout);
        try
        {
            var progress = await HandshakeDriver.RunAsync(socket, handshake, deadline.Token).ConfigureAwait(false);
            return (progress, handshake.Failure);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                cancellationToken.ThrowIfCancellationRequested();
            }

            return (HandshakeProgress.Failed, DialResult.Failure(e is OperationCanceledException ? DialOutcome.TimedOut : DialOutcome.Failed,
                $"SOCKS5 proxy {proxy}: {what} {(e is OperationCanceledException ? "timed out" : "failed: " + e.Message)}"));
        }
    }

    /// <summary>UDP through SOCKS5 needs an association (<see cref="AssociateUdpAsync"/>), never a plain socket.</summary>
    public DialResult DialUdp(IPEndPoint destination) =>
        DialResult.Failure(DialOutcome.Rejected, $"{Name} carries UDP only through UDP ASSOCIATE");

    public override string ToString() => $"{Name} (socks5 {proxy} via {transport.Name})";
}
