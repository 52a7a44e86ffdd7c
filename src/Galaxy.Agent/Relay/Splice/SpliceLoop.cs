using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Galaxy.Agent.Interop;

namespace Galaxy.Agent.Relay.Splice;

/// <summary>
/// One thread that moves the bytes of many flows: an epoll set (edge-triggered) over both sockets of each
/// flow, a pipe pool, and an eventfd through which other threads post work (add a flow, close flows). It
/// owns the epoll and eventfd descriptors; the flows own their sockets. Idle flows are swept once a second.
/// </summary>
internal sealed class SpliceLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const ulong WakeToken = 0;

    private readonly int _epollFd;
    private readonly int _eventFd;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly SplicePipePool _pipes;
    private readonly HashSet<SpliceFlow> _flows = [];
    private readonly Dictionary<SpliceFlow, GCHandle> _handles = [];
    private readonly List<GCHandle> _released = [];
    private readonly TimeSpan _idleTimeout;
    private volatile bool _stopping;
    private int _flowCount;

    public SpliceLoop(string name, TimeSpan idleTimeout, int maxIdlePipes = 256)
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException("the splice relay declares epoll_event for x86-64 only");
        }

        _idleTimeout = idleTimeout;
        _pipes = new SplicePipePool(maxIdlePipes);
        _epollFd = Libc.EpollCreate1(Libc.EpollCloExec);
        if (_epollFd < 0)
        {
            throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _eventFd = Libc.EventFd(0, Libc.EfdCloExec | Libc.EfdNonBlock);
        if (_eventFd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.Close(_epollFd);
            throw new InvalidOperationException($"eventfd failed: errno {errno}");
        }

        if (!TryRegister(_eventFd, Libc.EpollIn, WakeToken))
        {
            var errno = Marshal.GetLastPInvokeError();
            Libc.Close(_eventFd);
            Libc.Close(_epollFd);
            throw new InvalidOperationException($"epoll_ctl(ADD eventfd) failed: errno {errno}");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Flows this loop is moving now (read from any thread).</summary>
    public int FlowCount => Volatile.Read(ref _flowCount);

    /// <summary>Pipes kept for reuse.</summary>
    public int IdlePipes => _pipes.Idle;

    /// <summary>Hands a connected pair over to this loop; from any thread.</summary>
    public void Add(SpliceFlow flow)
    {
        flow.Loop = this;
        Interlocked.Increment(ref _flowCount);
        Post(() =>
        {
            var handle = GCHandle.Alloc(flow);
            _handles.Add(flow, handle);
            _flows.Add(flow);
            var token = (ulong)GCHandle.ToIntPtr(handle);
            const uint events = Libc.EpollIn | Libc.EpollOut | Libc.EpollRdHup | Libc.EpollEt;
            if (!TryRegister(flow.ClientFd, events, token) || !TryRegister(flow.UpstreamFd, events, token))
            {
                flow.Close(FlowCloseReason.Failed, _pipes);
                Forget(flow);
                return;
            }

            // Edge-triggered: bytes that arrived before registration are pumped now.
            if (!flow.Pump(_pipes))
            {
                Forget(flow);
            }
        });
    }

    /// <summary>Closes one flow (resetting both sides) if it still runs; from any thread, after its <see cref="Add"/>.</summary>
    public void RequestClose(SpliceFlow flow)
    {
        try
        {
            Post(() =>
            {
                if (!flow.IsClosed)
                {
                    flow.Close(FlowCloseReason.Closed, _pipes);
                    Forget(flow);
                }
            });
        }
        catch (ObjectDisposedException)
        {
            // The loop is stopping, and closes every flow as it stops.
        }
    }

    /// <summary>Closes every flow that matches (its egress went down); from any thread.</summary>
    public void CloseWhere(Func<SpliceFlow, bool> match, FlowCloseReason reason = FlowCloseReason.Closed) =>
        Post(() =>
        {
            foreach (var flow in _flows.Where(match).ToArray())
            {
                flow.Close(reason, _pipes);
                Forget(flow);
            }
        });

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        Wake();
        _thread.Join();
        Libc.Close(_eventFd);
        Libc.Close(_epollFd);
        _pipes.Dispose();
    }

    private void Post(Action action)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        _posted.Enqueue(action);
        Wake();
    }

    private unsafe void Wake()
    {
        ulong one = 1;
        Libc.Write(_eventFd, &one, sizeof(ulong));
    }

    private unsafe void Run()
    {
        var events = stackalloc EpollEvent[MaxEvents];
        var nextSweep = Environment.TickCount64 + 1000;
        while (!_stopping)
        {
            var count = Libc.EpollWait(_epollFd, events, MaxEvents, 1000);
            if (count < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                throw new InvalidOperationException($"epoll_wait failed: errno {errno}");
            }

            for (var i = 0; i < count; i++)
            {
                if (events[i].Data == WakeToken)
                {
                    ulong value;
                    Libc.Read(_eventFd, &value, sizeof(ulong));
                    RunPosted();
                    continue;
                }

                if (GCHandle.FromIntPtr((nint)events[i].Data).Target is SpliceFlow flow && !flow.IsClosed && !flow.Pump(_pipes))
                {
                    Forget(flow);
                }
            }

            var now = Environment.TickCount64;
            if (now >= nextSweep)
            {
                nextSweep = now + 1000;
                SweepIdle(now);
            }

            // Only now, after the whole batch: a flow may appear twice in one batch (both sockets).
            FreeReleasedHandles();
        }

        RunPosted();
        foreach (var flow in _flows.ToArray())
        {
            flow.Close(FlowCloseReason.Closed, _pipes);
            Forget(flow);
        }

        FreeReleasedHandles();
    }

    private void FreeReleasedHandles()
    {
        foreach (var handle in _released)
        {
            handle.Free();
        }

        _released.Clear();
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out var action))
        {
            action();
        }
    }

    private void SweepIdle(long now)
    {
        foreach (var flow in _flows.Where(f => f.ConnectOverdue(now)).ToArray())
        {
            flow.FailConnect(System.Net.Sockets.SocketError.TimedOut, _pipes);
            Forget(flow);
        }

        var limit = (long)_idleTimeout.TotalMilliseconds;
        foreach (var flow in _flows.Where(f => now - f.LastActivityTicks > limit).ToArray())
        {
            flow.Close(FlowCloseReason.IdleTimeout, _pipes);
            Forget(flow);
        }
    }

    /// <summary>
    /// Drops a closed flow from the loop. Its descriptors are already closed, which removed them from epoll;
    /// its handle is freed after the current event batch.
    /// </summary>
    private void Forget(SpliceFlow flow)
    {
        if (_flows.Remove(flow))
        {
            Interlocked.Decrement(ref _flowCount);
        }

        if (_handles.Remove(flow, out var handle))
        {
            _released.Add(handle);
        }
    }

    private unsafe bool TryRegister(int fd, uint events, ulong token)
    {
        var registration = new EpollEvent { Events = events, Data = token };
        return Libc.EpollCtl(_epollFd, Libc.EpollCtlAdd, fd, &registration) == 0;
    }
}
