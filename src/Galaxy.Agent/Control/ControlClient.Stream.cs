using System.Net.Sockets;
using System.Text;

namespace Galaxy.Agent.Control;

/// <summary>The event stream's side of the client: one GET, then chunks of NDJSON until the agent or the caller ends it.</summary>
internal static partial class ControlClient
{
    private const int MaxPendingBytes = ChunkedEncoding.MaxChunkBytes + 1024;

    /// <summary>
    /// GETs <paramref name="path"/> (an event stream) and hands each line to <paramref name="onLine"/> as it arrives,
    /// until <paramref name="ct"/> is cancelled (Answered, 200, empty message), the agent ends the stream (Answered,
    /// 200, a message saying so), or the connection breaks (Failed). A refusal (403, 501, 503 …) is returned as
    /// <see cref="CallAsync"/> would. <paramref name="connectTimeout"/> bounds the connect and the response head.
    /// </summary>
    public static async Task<ControlCallResult> StreamAsync(string socketPath, string path, Action<string> onLine, TimeSpan connectTimeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(onLine);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var buffer = new byte[64 * 1024];
        var filled = 0;
        int headEnd;
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            deadline.CancelAfter(connectTimeout);
            try
            {
                await ConnectAsync(socket, socketPath, deadline.Token).ConfigureAwait(false);
                await socket.SendAsync(Request("GET", path), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    if (filled == buffer.Length)
                    {
                        return new(ControlCallOutcome.Failed, 0, "", $"the answer on {socketPath} is not HTTP");
                    }

                    var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return Interpret(buffer.AsSpan(0, filled), socketPath);
                    }

                    filled += read;
                }

                var head = Encoding.ASCII.GetString(buffer, 0, headEnd);
                if (!head.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal))
                {
                    // A refusal has a Content-Length body and ends with the close: read it whole.
                    int read;
                    while (filled < buffer.Length && (read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, deadline.Token).ConfigureAwait(false)) > 0)
                    {
                        filled += read;
                    }

                    return Interpret(buffer.AsSpan(0, filled), socketPath);
                }

                if (!head.Contains("\r\nTransfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
                {
                    return new(ControlCallOutcome.Failed, 200, "", $"the event stream on {socketPath} is not chunked");
                }
            }
            catch (SocketException e)
            {
                return SocketFailure(e, socketPath);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return new(ControlCallOutcome.Failed, 0, "", $"the agent did not answer within {connectTimeout.TotalSeconds:0.#} s");
            }
            catch (OperationCanceledException)
            {
                return new(ControlCallOutcome.Answered, 200, "", "");
            }
        }

        // The body: chunks from headEnd + 4 on; lines may span chunks.
        var body = headEnd + 4;
        Array.Copy(buffer, body, buffer, 0, filled - body);
        filled -= body;
        var line = new MemoryStream();
        try
        {
            while (true)
            {
                var consumedTotal = 0;
                while (true)
                {
                    var status = ChunkedEncoding.TryRead(buffer.AsSpan(consumedTotal, filled - consumedTotal), out var data, out var consumed);
                    if (status == ChunkStatus.Incomplete)
                    {
                        break;
                    }

                    if (status == ChunkStatus.Invalid)
                    {
                        return new(ControlCallOutcome.Failed, 200, "", $"the event stream on {socketPath} broke its chunked framing");
                    }

                    if (status == ChunkStatus.End)
                    {
                        return new(ControlCallOutcome.Answered, 200, "", "the agent ended the event stream");
                    }

                    EmitLines(buffer.AsSpan(consumedTotal, filled - consumedTotal)[data], line, onLine);
                    consumedTotal += consumed;
                }

                Array.Copy(buffer, consumedTotal, buffer, 0, filled - consumedTotal);
                filled -= consumedTotal;
                if (filled == buffer.Length)
                {
                    if (buffer.Length >= MaxPendingBytes)
                    {
                        return new(ControlCallOutcome.Failed, 200, "", $"an event on {socketPath} is too large");
                    }

                    Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxPendingBytes));
                }

                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct).ConfigureAwait(false);
                if (read == 0)
                {
                    return new(ControlCallOutcome.Failed, 200, "", "the agent closed the event stream (did it stop?)");
                }

                filled += read;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new(ControlCallOutcome.Answered, 200, "", "");
        }
        catch (SocketException e)
        {
            return new(ControlCallOutcome.Failed, 200, "", $"the event stream on {socketPath} broke: {e.Message}");
        }
    }

    private static void EmitLines(ReadOnlySpan<byte> data, MemoryStream line, Action<string> onLine)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                line.Write(data);
                return;
            }

            line.Write(data[..newline]);
            var text = Encoding.UTF8.GetString(line.GetBuffer(), 0, (int)line.Length);
            line.SetLength(0);
            if (text.Length > 0)
            {
                onLine(text);
            }

            data = data[(newline + 1)..];
        }
    }
}
