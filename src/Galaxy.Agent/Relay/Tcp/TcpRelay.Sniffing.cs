using System.Buffers;
using System.Net.Sockets;
using Galaxy.Agent.Relay.Sniffing;

namespace Galaxy.Agent.Relay.Tcp;

internal sealed partial class TcpRelay
{
    /// <summary>How many first bytes are looked at (a post-quantum ClientHello is about 1.8 KiB, over two segments).</summary>
    internal const int SniffBufferBytes = 4096;

    /// <summary>
    /// The name the client asks for in its first bytes, looked at before routing. The first look is a
    /// <c>MSG_PEEK</c>: when the whole ClientHello or request head is there (the usual case) nothing is taken
    /// from the socket and the splice path starts from the kernel's queue as if nothing had looked. A peek
    /// cannot wait for <em>more</em> bytes (a non-blocking peek returns the same bytes at once, whatever
    /// SO_RCVLOWAT says), so when the first bytes are an incomplete beginning the relay takes them and reads on;
    /// what it took is in the result's <see cref="SniffResult.Taken"/> and goes upstream first, after the dial.
    /// Gives up at <see cref="TcpRelayOptions.SniffTimeout"/> (a server-speaks-first protocol sends nothing),
    /// when the buffer is full, or at the client's FIN, with no name.
    /// </summary>
    private async ValueTask<SniffResult> SniffAsync(Socket client, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(SniffBufferBytes);
        var taken = 0;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.SniffTimeout);
        try
        {
            var seen = await client.ReceiveAsync(buffer.AsMemory(0, SniffBufferBytes), SocketFlags.Peek, deadline.Token).ConfigureAwait(false);
            while (seen > 0)
            {
                var outcome = DomainSniffer.Sniff(buffer.AsSpan(0, seen), out var domain);
                if (outcome != SniffOutcome.NeedMore || seen == SniffBufferBytes)
                {
                    return new SniffResult(domain, buffer, taken);
                }

                if (taken < seen)
                {
                    // Take what was peeked (it is there: this does not wait), then wait for the rest.
                    taken += client.Receive(buffer.AsSpan(taken, seen - taken), SocketFlags.None);
                }

                var read = await client.ReceiveAsync(buffer.AsMemory(taken, SniffBufferBytes - taken), SocketFlags.None, deadline.Token)
                    .ConfigureAwait(false);
                if (read == 0)
                {
                    break; // the client's FIN; it is forwarded by the splice
                }

                taken += read;
                seen = taken;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Deadline: route without a name.
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        return new SniffResult(null, buffer, taken);
    }

    /// <summary>
    /// What the sniff step learned: the name (or null), and the first <see cref="TakenLength"/> bytes of the
    /// client it had to take from the socket, in a pooled buffer that <see cref="Return"/> gives back.
    /// </summary>
    private readonly record struct SniffResult(string? Domain, byte[]? Buffer, int TakenLength)
    {
        public ReadOnlySpan<byte> Taken => Buffer.AsSpan(0, TakenLength);

        public void Return()
        {
            if (Buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(Buffer);
            }
        }
    }
}
