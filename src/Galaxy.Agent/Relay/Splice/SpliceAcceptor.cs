using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Galaxy.Agent.Interop;
using Galaxy.Agent.Relay.Udp;

namespace Galaxy.Agent.Relay.Splice;

/// <summary>
/// Takes a new connection on the splice loop's thread: the accepted descriptor (non-blocking, owned by the
/// handler from now on, one connection slot taken for it), the client's address, and the loop it was accepted on.
/// </summary>
internal delegate void AcceptedConnection(int fd, IPEndPoint client, SpliceLoop loop);

/// <summary>
/// Accepts one listening socket's connections on a splice loop's own thread (its epoll watches the listener,
/// level-triggered), so a new flow needs no hop through .NET's socket engine or the thread pool. Each
/// accept first takes a <see cref="ConnectionSlots"/> slot; with none left the listener is taken out of
/// the epoll set until a flow ends (the kernel's backlog holds new connections meanwhile). Out of
/// descriptors it backs off (50 ms, doubling to 1 s) instead of spinning on accept. The relay owns the
/// listening socket; this only borrows its descriptor.
/// </summary>
internal sealed class SpliceAcceptor : ILoopWatcher
{
    /// <summary>Accepts per readiness event before the loop turns to its flows again.</summary>
    private const int BatchLimit = 64;

    private const long FirstBackoffMs = 50;
    private const long LongestBackoffMs = 1000;

    private readonly ConnectionSlots _slots;
    private readonly AcceptedConnection _onAccepted;
    private int _waitingForSlot;
    private long _backoffMs = FirstBackoffMs;
    private long _accepted;

    public SpliceAcceptor(Socket listener, ConnectionSlots slots, AcceptedConnection onAccepted)
    {
        listener.Blocking = false; // a spurious wake must find EAGAIN, never block the loop
        ListenerFd = (int)listener.SafeHandle.DangerousGetHandle();
        _slots = slots;
        _onAccepted = onAccepted;
        slots.Watch(this);
    }

    /// <summary>Connections accepted so far.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    internal int ListenerFd { get; }

    /// <summary>The loop this acceptor runs on (set when it is added).</summary>
    internal SpliceLoop? Loop { get; set; }

    /// <summary>Accepts what is waiting, up to <see cref="BatchLimit"/>; on the loop's thread.</summary>
    public unsafe void OnReady(uint events)
    {
        var address = stackalloc byte[28];
        for (var i = 0; i < BatchLimit; i++)
        {
            if (!_slots.TryTake() && !WaitForSlot())
            {
                return;
            }

            var length = 28u;
            var fd = Libc.Accept4(ListenerFd, address, &length, Libc.SockNonBlock | Libc.SockCloExec);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                _slots.Release();
                if (errno is Libc.EAGAIN or Libc.EINTR)
                {
                    return; // nothing waits: the level-triggered listener reports the next
                }

                if (IsConnectionError(errno))
                {
                    continue; // that connection failed before it was taken (accept(2) reports its error): the next
                }

                // Out of descriptors or memory (or any other failure): listen again later instead of spinning.
                BackOff();
                return;
            }

            _backoffMs = FirstBackoffMs;
            Interlocked.Increment(ref _accepted);
            var client = SocketAddressCodec.ReadSocketAddress(new ReadOnlySpan<byte>(address, (int)Math.Min(length, 28u)));
            if (client is null)
            {
                Libc.Close(fd);
                _slots.Release();
                continue;
            }

            _onAccepted(fd, client, Loop!);
        }
    }

    /// <summary>The errors accept(2) reports for the waiting connection itself, not for the listener (see its manual).</summary>
    private static bool IsConnectionError(int errno) => errno is Libc.ECONNABORTED or 71 /* EPROTO */ or 64 /* ENONET */
        or 92 /* ENOPROTOOPT */ or 95 /* EOPNOTSUPP */ or Libc.ENETDOWN or Libc.ENETUNREACH or Libc.EHOSTDOWN or Libc.EHOSTUNREACH;

    /// <summary>A slot was given back: an acceptor that stopped for want of one listens again (from any thread).</summary>
    internal void SlotFreed()
    {
        if (Interlocked.Exchange(ref _waitingForSlot, 0) == 1)
        {
            Loop?.RearmLater(this, Libc.EpollIn);
        }
    }

    /// <summary>Every slot is taken: stops watching the listener until <see cref="SlotFreed"/>; true when one came free meanwhile.</summary>
    private bool WaitForSlot()
    {
        Interlocked.Exchange(ref _waitingForSlot, 1); // a full fence before the slots are read again
        Loop!.Rearm(this, 0);
        if (!_slots.TryTake())
        {
            return false; // a release after this point sees the flag and resumes the listener
        }

        // Taken after all; whoever cleared the flag first, the listener is watched again.
        Interlocked.Exchange(ref _waitingForSlot, 0);
        Loop.Rearm(this, Libc.EpollIn);
        return true;
    }

    /// <summary>The listener is owned by the relay, which closes it: nothing to let go of.</summary>
    public void Abandon()
    {
    }

    private void BackOff()
    {
        var loop = Loop!;
        loop.Rearm(this, 0);
        loop.At(Environment.TickCount64 + _backoffMs, () => loop.Rearm(this, Libc.EpollIn));
        _backoffMs = Math.Min(_backoffMs * 2, LongestBackoffMs);
    }
}
