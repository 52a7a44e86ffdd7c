using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace Galaxy.Agent.Control;

/// <summary>The accept loop, admission (authorisation, the cap) and one connection's request/response.</summary>
internal sealed partial class ControlServer
{
    private const int MaxRejecting = 256;
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);
    private int rejecting;

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // EMFILE and friends: the listener stays; give the system a moment instead of spinning.
                await Task.Delay(50, stopping.Token).ConfigureAwait(false);
                continue;
            }

            Admit(client);
        }
    }

    private void Admit(Socket client)
    {
        PeerCredentials peer;
        try
        {
            peer = PeerCredentials.Of(client);
        }
        catch (SocketException)
        {
            client.Dispose();
            return;
        }

        if (!access.Allows(peer))
        {
            ControlLog.Refused(logger, peer.Uid, peer.Gid, peer.Pid);
            _ = RejectAsync(client, ControlResponse.Error(403, "access denied: root or the control group only"));
            return;
        }

        var connection = new ControlConnection(client, peer, stopping.Token);
        lock (gate)
        {
            if (connections.Count >= options.MaxClients)
            {
                var idle = connections.FirstOrDefault(c => c.Reading && !c.Evicted);
                if (idle is null)
                {
                    connection.Dispose();
                    _ = RejectAsync(client, ControlResponse.Error(503, $"busy: {options.MaxClients} control clients are being served"));
                    return;
                }

                // The oldest connection still waiting for its request makes room (it gets 503).
                idle.Evicted = true;
                connections.Remove(idle.Node!);
                idle.Cancel.Cancel();
            }

            connection.Node = connections.AddLast(connection);
        }

        connection.Handler = Task.Run(() => ServeAsync(connection));
    }

    private async Task ServeAsync(ControlConnection connection)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(HttpRequestParser.MaxHeadBytes + HttpRequestParser.MaxBodyBytes);
        try
        {
            connection.Cancel.CancelAfter(options.RequestTimeout);
            var outcome = await ReadRequestAsync(connection, buffer).ConfigureAwait(false);
            if (outcome is null)
            {
                return;
            }

            if (outcome.Value.Status == HttpParseStatus.Invalid)
            {
                ControlLog.Rejected(logger, outcome.Value.StatusCode, connection.Peer.Uid, outcome.Value.Reason ?? "");
                await WriteAsync(connection.Socket, ControlResponse.Error(outcome.Value.StatusCode, outcome.Value.Reason ?? "bad request").Encode()).ConfigureAwait(false);
                return;
            }

            var request = outcome.Value.Request!;
            connection.Reading = false;
            ControlResponse response;
            try
            {
                response = await ControlRouter.RouteAsync(request, agent, stopping.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // whatever the agent throws, the client gets 500 and the server keeps serving
            catch (Exception e)
#pragma warning restore CA1031
            {
                ControlLog.HandlerFailed(logger, e, request.Method, request.Path);
                response = ControlResponse.Error(500, "internal error; see the agent's log");
            }

            if (response.IsEventStream)
            {
                await StreamEventsAsync(connection).ConfigureAwait(false);
                return;
            }

            await WriteAsync(connection.Socket, response.Encode()).ConfigureAwait(false);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            lock (gate)
            {
                if (connection.Node is { List: not null } node)
                {
                    connections.Remove(node);
                }
            }

            try
            {
                connection.Socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }

            connection.Dispose();
        }
    }

    /// <summary>Reads until the parser decides; null when the peer left (nothing to answer).</summary>
    private async Task<HttpParseOutcome?> ReadRequestAsync(ControlConnection connection, byte[] buffer)
    {
        var filled = 0;
        while (true)
        {
            int read;
            try
            {
                read = await connection.Socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, connection.Cancel.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                return connection.Evicted
                    ? HttpParseOutcome.Refuse(503, "evicted: too many idle control clients")
                    : HttpParseOutcome.Refuse(408, $"the request did not arrive within {options.RequestTimeout.TotalSeconds:0.#} s");
            }

            if (read == 0)
            {
                return null;
            }

            filled += read;
            var outcome = HttpRequestParser.Parse(buffer.AsSpan(0, filled));
            if (outcome.Status != HttpParseStatus.Incomplete)
            {
                return outcome;
            }

            if (filled == buffer.Length)
            {
                return HttpParseOutcome.Refuse(413, "request too large");
            }
        }
    }

    private async Task StreamEventsAsync(ControlConnection connection)
    {
        bool admitted;
        lock (gate)
        {
            // Streams are never evicted, so they may hold at most half the slots: requests always find room.
            admitted = eventStreams < options.MaxClients / 2;
            if (admitted)
            {
                eventStreams++;
            }
        }

        if (!admitted)
        {
            await WriteAsync(connection.Socket, ControlResponse.Error(503, "too many event streams").Encode()).ConfigureAwait(false);
            return;
        }

        using var streaming = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        try
        {
            var events = agent.Subscribe(streaming.Token);
            if (events is null)
            {
                await WriteAsync(connection.Socket, ControlResponse.Error(501, "this agent offers no event stream").Encode()).ConfigureAwait(false);
                return;
            }

            await WriteAsync(connection.Socket, new ControlResponse(200, ControlResponse.EventStream, []) { IsEventStream = true }.Encode()).ConfigureAwait(false);

            // The peer closing its end is seen as a zero-byte read; it ends the stream.
            _ = WatchCloseAsync(connection.Socket, streaming);
            try
            {
                await foreach (var line in events.ReadAllAsync(streaming.Token).ConfigureAwait(false))
                {
                    await WriteAsync(connection.Socket, ChunkedEncoding.Chunk(line + "\n")).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }

            // The agent stopping (or the stream ending) ends the body properly; a peer that left gets nothing.
            if (!streaming.IsCancellationRequested || stopping.IsCancellationRequested)
            {
                await WriteAsync(connection.Socket, ChunkedEncoding.LastChunk.ToArray()).ConfigureAwait(false);
            }
        }
        finally
        {
            await streaming.CancelAsync().ConfigureAwait(false);
            lock (gate)
            {
                eventStreams--;
            }
        }
    }

    private static async Task WatchCloseAsync(Socket socket, CancellationTokenSource streaming)
    {
        var one = new byte[1];
        try
        {
            while (await socket.ReceiveAsync(one, SocketFlags.None, streaming.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        await streaming.CancelAsync().ConfigureAwait(false);
    }

    private static async Task WriteAsync(Socket socket, byte[] bytes)
    {
        using var timeout = new CancellationTokenSource(WriteTimeout);
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, timeout.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Answers a refused connection (403, or 503 at the cap) and closes it. The request is read first (at most
    /// its head, at most one second): closing before the client has even finished connecting makes curl report
    /// "couldn't connect" instead of the status. At most <see cref="MaxRejecting"/> such answers are in flight;
    /// beyond that a refused connection is closed at once.
    /// </summary>
    private async Task RejectAsync(Socket client, ControlResponse response)
    {
        var drain = Interlocked.Increment(ref rejecting) <= MaxRejecting;
        try
        {
            if (drain)
            {
                await DrainHeadAsync(client).ConfigureAwait(false);
                await WriteAsync(client, response.Encode()).ConfigureAwait(false);
                client.Shutdown(SocketShutdown.Both);
            }
        }
        catch (SocketException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Interlocked.Decrement(ref rejecting);
            client.Dispose();
        }
    }

    private static async Task DrainHeadAsync(Socket client)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var buffer = new byte[HttpRequestParser.MaxHeadBytes];
        var filled = 0;
        try
        {
            int read;
            while (filled < buffer.Length
                && (read = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timeout.Token).ConfigureAwait(false)) > 0)
            {
                filled += read;
                if (buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8) >= 0)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
