using System.Net;
using Galaxy.Agent.Egress.Socks5;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// Dials through a SOCKS5 proxy (RFC 1928 CONNECT, RFC 1929 username/password). The proxy itself is reached
/// through <paramref name="transport"/> — a marked socket on the WAN, a tunnel device, or another proxy —
/// so chains are configuration. A refusal by the proxy is an outcome, never an exception.
/// </summary>
internal sealed class Socks5Dialer(string name, IPEndPoint proxy, ProxyCredentials? credentials, IEgressDialer transport, TimeSpan handshakeTimeout)
    : IEgressDialer
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
            if (await HandshakeAsync(channel, destination, deadline.Token).ConfigureAwait(false) is { } failure)
            {
                socket.Dispose();
                return failure;
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

    /// <summary>Runs greeting, authentication and CONNECT; null when the proxy connected us, else why not.</summary>
    private async ValueTask<DialResult?> HandshakeAsync(HandshakeChannel channel, IPEndPoint destination, CancellationToken cancellationToken)
    {
        var message = new byte[Socks5Codec.MaxMessageLength];
        await channel.SendAsync(message.AsMemory(0, Socks5Codec.WriteGreeting(message, credentials is not null)), cancellationToken).ConfigureAwait(false);

        byte method;
        while (Socks5Codec.ReadMethodSelection(channel.Received, out method) == Socks5Decode.NeedMore)
        {
            if (!await channel.ReceiveMoreAsync(cancellationToken).ConfigureAwait(false))
            {
                return Closed();
            }
        }

        if (channel.Received[0] != Socks5Codec.Version)
        {
            return Garbled();
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
                    return Closed();
                }
            }

            if (decode == Socks5Decode.Invalid)
            {
                return Garbled();
            }

            if (!accepted)
            {
                return DialResult.Failure(DialOutcome.Rejected, $"SOCKS5 proxy {proxy} refused the credentials of user {credentials.Username}");
            }

            channel.Consume(2);
        }
        else if (method != Socks5Codec.MethodNoAuthentication)
        {
            return DialResult.Failure(DialOutcome.Rejected, method == Socks5Codec.MethodNoneAcceptable
                ? $"SOCKS5 proxy {proxy} accepts none of the offered authentication methods"
                : $"SOCKS5 proxy {proxy} chose authentication method 0x{method:x2}, which was not offered");
        }

        var request = Socks5Codec.WriteRequest(message, Socks5Codec.CommandConnect, Socks5Address.FromEndPoint(destination));
        await channel.SendAsync(message.AsMemory(0, request), cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var decode = Socks5Codec.ReadReply(channel.Received, out var reply, out _, out var consumed);
            if (decode == Socks5Decode.Invalid)
            {
                return Garbled();
            }

            if (decode == Socks5Decode.Done)
            {
                channel.Consume(consumed);
                return reply == Socks5ReplyCode.Succeeded
                    ? null
                    : DialResult.Failure(Map(reply), $"SOCKS5 proxy {proxy}: {destination}: {Socks5Codec.Describe(reply)}");
            }

            if (!await channel.ReceiveMoreAsync(cancellationToken).ConfigureAwait(false))
            {
                return Closed();
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

    public DialResult DialUdp(IPEndPoint destination) =>
        DialResult.Failure(DialOutcome.Rejected, $"{Name} cannot carry UDP (UDP ASSOCIATE is not supported yet)");

    public override string ToString() => $"{Name} (socks5 {proxy} via {transport.Name})";
}
