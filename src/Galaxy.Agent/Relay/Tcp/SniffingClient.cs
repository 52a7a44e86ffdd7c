using System.Buffers;
using System.Net;
using System.Runtime.InteropServices;
using Galaxy.Agent.Interop;
using Galaxy.Agent.Relay.Sniffing;
using Galaxy.Agent.Relay.Splice;

namespace Galaxy.Agent.Relay.Tcp;

/// <summary>
/// A new flow whose route waits for the name in its first bytes (TLS SNI, HTTP Host), watched by the splice
/// loop that accepted it. Each look is a <c>MSG_PEEK</c>, which takes nothing: the splice later starts from the
/// kernel's queue as if nobody had looked, and a ClientHello in two segments is simply looked at again when
/// the second arrives (edge-triggered epoll reports every arrival). It ends with the name, or with none when
/// the bytes cannot carry one, the buffer is full, the client finished, or
/// <see cref="TcpRelayOptions.SniffTimeout"/> passed (a server-speaks-first protocol such as SSH sends
/// nothing until connected). It borrows the client's descriptor and owns a pooled buffer while it waits.
/// </summary>
internal sealed class SniffingClient : ILoopWatcher
{
    /// <summary>How many first bytes are looked at (a post-quantum ClientHello is about 1.8 KiB, over two segments).</summary>
    internal const int BufferBytes = 4096;

    private const uint Events = Libc.EpollIn | Libc.EpollRdHup | Libc.EpollEt;
    private const uint FinishedEvents = Libc.EpollRdHup | Libc.EpollHup;

    private readonly Action<SniffingClient, string?> _onEnded;
    private readonly Action<SniffingClient> _onAbandoned;
    private byte[]? _buffer;

    private SniffingClient(int fd, IPEndPoint source, IPEndPoint destination, SpliceLoop loop,
        Action<SniffingClient, string?> onEnded, Action<SniffingClient> onAbandoned)
    {
        Fd = fd;
        Source = source;
        Destination = destination;
        Loop = loop;
        _onEnded = onEnded;
        _onAbandoned = onAbandoned;
        _buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
    }

    public int Fd { get; }

    public IPEndPoint Source { get; }

    public IPEndPoint Destination { get; }

    public SpliceLoop Loop { get; }

    /// <summary>
    /// Starts watching the client on <paramref name="loop"/> (on its thread); <paramref name="onEnded"/> gets the name
    /// or null, once, on the loop's thread. False when epoll refused the descriptor (the caller still owns it).
    /// </summary>
    public static bool TryStart(int fd, IPEndPoint source, IPEndPoint destination, SpliceLoop loop, TimeSpan timeout,
        Action<SniffingClient, string?> onEnded, Action<SniffingClient> onAbandoned)
    {
        var client = new SniffingClient(fd, source, destination, loop, onEnded, onAbandoned);
        if (!loop.Watch(client, fd, Events))
        {
            client.ReturnBuffer();
            return false;
        }

        // Bytes already queued make the registration itself report readiness: the first look comes with the next batch.
        loop.At(Environment.TickCount64 + (long)timeout.TotalMilliseconds, client.Expire);
        return true;
    }

    public void OnReady(uint events)
    {
        if (_buffer is not { } buffer)
        {
            return;
        }

        var seen = Peek(buffer);
        if (seen == -Libc.EAGAIN)
        {
            return; // nothing yet (a FIN would read as 0)
        }

        if (seen < 0 || (events & Libc.EpollErr) != 0)
        {
            // Reset while the relay waited for its first bytes: it is never dialed.
            Loop.Unwatch(this);
            Abandon();
            return;
        }

        var outcome = DomainSniffer.Sniff(buffer.AsSpan(0, seen), out var domain);
        if (outcome == SniffOutcome.NeedMore && seen < BufferBytes && seen > 0 && (events & FinishedEvents) == 0)
        {
            return; // a beginning: look again when more arrives
        }

        End(domain);
    }

    /// <summary>The loop stops, or the client failed: the relay resets it and gives its slot back.</summary>
    public void Abandon()
    {
        ReturnBuffer();
        _onAbandoned(this);
    }

    /// <summary>The sniff timeout: whatever came so far named nothing.</summary>
    private void Expire()
    {
        if (_buffer is not null)
        {
            End(null);
        }
    }

    private void End(string? domain)
    {
        Loop.Unwatch(this);
        ReturnBuffer();
        _onEnded(this, domain);
    }

    /// <summary>Bytes queued (0 at the client's FIN), or minus errno.</summary>
    private unsafe int Peek(byte[] buffer)
    {
        while (true)
        {
            nint seen;
            fixed (byte* bytes = buffer)
            {
                seen = Libc.Recv(Fd, bytes, BufferBytes, Libc.MsgPeek | Libc.MsgDontWait);
            }

            if (seen >= 0)
            {
                return (int)seen;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                return -errno;
            }
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
