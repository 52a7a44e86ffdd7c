using System.Net;
using Galaxy.Agent.Egress.Socks5;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// Dials through a SOCKS5 proxy (RFC 1928 CONNECT, RFC 1929 username/password). The proxy itself is reached
/// through <paramref name="transport"/> — a marked socket on the WAN, a tunnel device, or another proxy —
/// so chains are configuration. A refusal by the proxy is an outcome, never an exception.
/// </summary>
internal sealed class Socks5Dialer(string name, IPEndPoint proxy, ProxyCredentials? credentials, IEgressDialer transport, TimeSpan handshakeTimeout)
    : IUdpAssociationDialer
{
    public string Name { get; } = name;

    public async ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken)
    {
        var connected = await transport.DialTcpAsync(proxy, cancellationToken).ConfigureAwait(false);
        if (connected.Socket is not { } socket)
        {
            return connected with { Reason = $"SOCKS5 proxy {proxy} via {transport.Name}: {connected.Reason}" };
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(handshakeTimeout);
        using var channel = new HandshakeChannel(socket, Socks5Codec.MaxMessageLength * 2);
        try
        {
            var (failure, _) = await HandshakeAsync(channel, Socks5Codec.CommandConnect, Socks5Address.FromEndPoint(destination), deadline.Token)
                .ConfigureAwait(false);
            if (failure is not null)
            {
                socket.Dispose();
                return failure.Value;
            }

            return DialResult.Connected(socket, channel.TakeRemainder());
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            return DialResult.Failure(e is OperationCanceledException ? DialOutcome.TimedOut : DialOutcome.Failed,
                $"SOCKS5 proxy {proxy}: handshake {(e is OperationCanceledException ? "timed out" : "failed: " + e.Message)}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
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

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(handshakeTimeout);
        using var channel = new HandshakeChannel(socket, Socks5Codec.MaxMessageLength * 2);
        try
        {
            var any = Socks5Address.FromEndPoint(new IPEndPoint(proxy.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? IPAddress.IPv6Any : IPAddress.Any, 0));
            var (failure, bound) = await HandshakeAsync(channel, Socks5Codec.CommandUdpAssociate, any, deadline.Token).ConfigureAwait(false);
            if (failure is not null || bound.Address is not { } boundAddress)
            {
                socket.Dispose();
                return (null, failure?.Outcome ?? DialOutcome.Failed, failure?.Reason ?? $"SOCKS5 proxy {proxy} named its UDP relay by domain");
            }

            var relayEndPoint = new IPEndPoint(boundAddress.Equals(IPAddress.Any) || boundAddress.Equals(IPAddress.IPv6Any) ? proxy.Address : boundAddress, bound.Port);
            var relay = transport.DialUdp(relayEndPoint);
            if (relay.Socket is not { } relaySocket)
            {
                socket.Dispose();
                return (null, relay.Outcome, $"SOCKS5 proxy {proxy}: UDP relay {relayEndPoint}: {relay.Reason}");
            }

            return (new UdpAssociation(socket, relaySocket), DialOutcome.Connected, null);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return (null, e is OperationCanceledException ? DialOutcome.TimedOut : DialOutcome.Failed,
                $"SOCKS5 proxy {proxy}: UDP ASSOCIATE {(e is OperationCanceledException ? "timed out" : "failed: " + e.Message)}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs greeting, authentication and one request (CONNECT or UDP ASSOCIATE); no failure when the proxy
    /// granted it (with the address it bound), else why not.
    /// </summary>
    private async ValueTask<(DialResult? Failure, Socks5Address Bound)> HandshakeAsync(
        HandshakeChannel channel, byte command, Socks5Address target, CancellationToken cancellationToken)
    {
        var message = new byte[Socks5Codec.MaxMessageLength];
        await channel.SendAsync(message.AsMemory(0, Socks5Codec.WriteGreeting(message, credentials is not null)), cancellationToken).ConfigureAwait(false);

        byte method;
        while (Socks5Codec.ReadMethodSelection(channel.Received, out method) == Socks5Decode.NeedMore)
        {
            if (!await channel.ReceiveMoreAsync(cancellationToken).ConfigureAwait(false))
            {
                return (Closed(), default);
            }
        }

        if (channel.Received[0] != Socks5Codec.Version)
        {
            return (Garbled(), default);
        }

        channel.Consume(2);
        if (method == Socks5Codec.MethodUsernamePassword && credentials is not null)
        {
            var length = Socks5Codec.WriteUsernamePassword(message, credentials.Username, credentials.Password);
            await channel.SendAsync(message.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            Socks5Decode decode;
            bool accepted;
            while ((decode = Socks5Codec.ReadUsernamePasswordReply(channel.Received, out accepted)) == Socks5Decode.NeedMore)
            {
                if (!await channel.ReceiveMoreAsync(cancellationToken).ConfigureAwait(false))
                {
                    return (Closed(), default);
                }
            }

            if (decode == Socks5Decode.Invalid)
            {
                return (Garbled(), default);
            }

            if (!accepted)
            {
                return (DialResult.Failure(DialOutcome.Rejected, $"SOCKS5 proxy {proxy} refused the credentials of user {credentials.Username}"), default);
            }

            channel.Consume(2);
        }
        else if (method != Socks5Codec.MethodNoAuthentication)
        {
            return (DialResult.Failure(DialOutcome.Rejected, method == Socks5Codec.MethodNoneAcceptable
                ? $"SOCKS5 proxy {proxy} accepts none of the offered authentication methods"
                : $"SOCKS5 proxy {proxy} chose authentication method 0x{method:x2}, which was not offered"), default);
        }

        var request = Socks5Codec.WriteRequest(message, command, target);
        await channel.SendAsync(message.AsMemory(0, request), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var decode = Socks5Codec.ReadReply(channel.Received, out var reply, out var bound, out var consumed);
            if (decode == Socks5Decode.Invalid)
            {
                return (Garbled(), default);
            }

            if (decode == Socks5Decode.Done)
            {
                channel.Consume(consumed);
                return reply == Socks5ReplyCode.Succeeded
                    ? (null, bound)
                    : (DialResult.Failure(Map(reply), $"SOCKS5 proxy {proxy}: {target}: {Socks5Codec.Describe(reply)}"), default);
            }

            if (!await channel.ReceiveMoreAsync(cancellationToken).ConfigureAwait(false))
            {
                return (Closed(), default);
            }
        }
    }

    private static DialOutcome Map(Socks5ReplyCode reply) => reply switch
    {
        Socks5ReplyCode.ConnectionRefused => DialOutcome.Refused,
        Socks5ReplyCode.NetworkUnreachable or Socks5ReplyCode.HostUnreachable => DialOutcome.Unreachable,
        Socks5ReplyCode.TtlExpired => DialOutcome.TimedOut,
        Socks5ReplyCode.NotAllowedByRuleset => DialOutcome.Rejected,
        _ => DialOutcome.Failed,
    };

    private DialResult Closed() => DialResult.Failure(DialOutcome.Failed, $"SOCKS5 proxy {proxy} closed the connection during the handshake");

    private DialResult Garbled() => DialResult.Failure(DialOutcome.Failed, $"SOCKS5 proxy {proxy} answered something that is not SOCKS5");

    /// <summary>UDP through SOCKS5 needs an association (<see cref="AssociateUdpAsync"/>), never a plain socket.</summary>
    public DialResult DialUdp(IPEndPoint destination) =>
        DialResult.Failure(DialOutcome.Rejected, $"{Name} carries UDP only through UDP ASSOCIATE");

    public override string ToString() => $"{Name} (socks5 {proxy} via {transport.Name})";
}
