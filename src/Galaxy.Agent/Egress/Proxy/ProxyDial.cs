using System.Net;
using System.Net.Sockets;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// What both proxy dialers (SOCKS5, HTTP CONNECT) share: the proxy is reached through a transport (the WAN, a
/// tunnel device, another proxy), then a <see cref="ProxyHandshake"/> runs on that connection. A transport
/// that is a plain connect lets the splice loop do both; otherwise the async path does, within the
/// handshake timeout.
/// </summary>
internal static class ProxyDial
{
    /// <summary>True when the proxy is a plain connect away, so the splice loop can dial and greet it.</summary>
    public static bool InLoop(IEgressDialer transport) => transport is DeviceDialer;

    /// <summary>The in-loop dial's one deadline: the connect to the proxy and the handshake together.</summary>
    public static TimeSpan Timeout(IEgressDialer transport, TimeSpan handshakeTimeout) =>
        ((transport as DeviceDialer)?.ConnectTimeout ?? TimeSpan.Zero) + handshakeTimeout;

    /// <summary>
    /// Starts the connect to <paramref name="proxy"/> for the splice loop; the loop then runs
    /// <paramref name="handshake"/>, which is disposed here when the connect cannot even start.
    /// </summary>
    public static DialResult Start(IEgressDialer transport, IPEndPoint proxy, string label, ref IUpstreamHandshake? handshake)
    {
        var connected = transport is DeviceDialer device
            ? device.StartConnect(proxy, out _)
            : DialResult.Failure(DialOutcome.Failed, "the proxy is not a plain connect away");
        if (connected.Socket is null)
        {
            handshake?.Dispose();
            handshake = null;
            return connected with { Reason = $"{label} via {transport.Name}: {connected.Reason}" };
        }

        return connected;
    }

    /// <summary>
    /// Connects to <paramref name="proxy"/> through <paramref name="transport"/> and runs <paramref name="handshake"/>
    /// (the caller disposes it) within <paramref name="handshakeTimeout"/>: the connected socket with what the
    /// proxy sent past its answer, or why not (the socket is then closed).
    /// </summary>
    public static async ValueTask<DialResult> DialAsync(IEgressDialer transport, IPEndPoint proxy, string label, ProxyHandshake handshake,
        TimeSpan handshakeTimeout, CancellationToken cancellationToken)
    {
        var connected = await transport.DialTcpAsync(proxy, cancellationToken).ConfigureAwait(false);
        if (connected.Socket is not { } socket)
        {
            return connected with { Reason = $"{label} via {transport.Name}: {connected.Reason}" };
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(handshakeTimeout);
        try
        {
            if (await HandshakeDriver.RunAsync(socket, handshake, deadline.Token).ConfigureAwait(false) == HandshakeProgress.Done)
            {
                var remainder = handshake.Remainder;
                return DialResult.Connected(socket, remainder.IsEmpty ? ReadOnlyMemory<byte>.Empty : remainder.ToArray());
            }

            socket.Dispose();
            return handshake.Failure;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            return DialResult.Failure(e is OperationCanceledException ? DialOutcome.TimedOut : DialOutcome.Failed,
                $"{label}: handshake {(e is OperationCanceledException ? "timed out" : "failed: " + e.Message)}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
