using System.Buffers;
using System.Net;
using Galaxy.Agent.Egress.HttpConnect;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// Dials through an HTTP proxy with CONNECT (basic auth when configured), reaching the proxy through
/// <paramref name="transport"/>. A non-2xx answer is an outcome naming the status, never an exception.
/// </summary>
internal sealed class HttpConnectDialer(string name, IPEndPoint proxy, ProxyCredentials? credentials, IEgressDialer transport, TimeSpan handshakeTimeout)
    : IEgressDialer
{
    public string Name { get; } = name;

    public async ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken)
    {
        var connected = await transport.DialTcpAsync(proxy, cancellationToken).ConfigureAwait(false);
        if (connected.Socket is not { } socket)
        {
            return connected with { Reason = $"HTTP proxy {proxy} via {transport.Name}: {connected.Reason}" };
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(handshakeTimeout);
        using var channel = new HandshakeChannel(socket, HttpConnectCodec.MaxResponseHeaderLength + 1);
        try
        {
            var request = HttpConnectCodec.BuildRequest(destination.Address.ToString(), (ushort)destination.Port, credentials?.Username, credentials?.Password);
            await channel.SendAsync(request, deadline.Token).ConfigureAwait(false);
            while (true)
            {
                var decode = HttpConnectCodec.ReadResponse(new ReadOnlySequence<byte>(channel.ReceivedMemory), out var status, out var headerLength);
                switch (decode)
                {
                    case HttpConnectDecode.Established:
                        channel.Consume(headerLength);
                        return DialResult.Connected(socket, channel.TakeRemainder());
                    case HttpConnectDecode.Refused:
                        socket.Dispose();
                        return DialResult.Failure(Map(status), status is 401 or 407
                            ? $"HTTP proxy {proxy}: CONNECT {destination}: status {status}: {(credentials is null ? "the proxy wants credentials and none are configured" : $"the proxy refused the credentials of user {credentials.Username}")}"
                            : $"HTTP proxy {proxy}: CONNECT {destination}: status {status}");
                    case HttpConnectDecode.Invalid:
                        socket.Dispose();
                        return DialResult.Failure(DialOutcome.Failed, $"HTTP proxy {proxy} answered something that is not an HTTP/1.x response");
                }

                if (!await channel.ReceiveMoreAsync(deadline.Token).ConfigureAwait(false))
                {
                    socket.Dispose();
                    return DialResult.Failure(DialOutcome.Failed, $"HTTP proxy {proxy} closed the connection during CONNECT");
                }
            }
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            return DialResult.Failure(e is OperationCanceledException ? DialOutcome.TimedOut : DialOutcome.Failed,
                $"HTTP proxy {proxy}: CONNECT {(e is OperationCanceledException ? "timed out" : "failed: " + e.Message)}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static DialOutcome Map(int status) => status switch
    {
        // 401: what some proxies (tinyproxy's BasicAuth) answer a CONNECT with bad credentials instead of 407.
        401 or 403 or 407 => DialOutcome.Rejected,
        502 => DialOutcome.Refused,
        503 => DialOutcome.Unreachable,
        504 => DialOutcome.TimedOut,
        _ => DialOutcome.Failed,
    };

    public DialResult DialUdp(IPEndPoint destination) =>
        DialResult.Failure(DialOutcome.Rejected, $"{Name} cannot carry UDP (CONNECT carries TCP only)");

    public override string ToString() => $"{Name} (http-connect {proxy} via {transport.Name})";
}
