using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Galaxy.Agent.Interop;

namespace Galaxy.Agent.Relay.Splice;

/// <summary>
/// One thread that moves the bytes of many flows: an epoll set (edge-triggered) over both sockets of each
/// flow, a pipe pool, and an eventfd through which other threads post work (add a flow, close flows). It
/// may also accept new flows itself (<see cref="SpliceAcceptor"/>, a level-triggered listener in the same
/// set). It owns the epoll and eventfd descriptors; the flows own their sockets, the relay its listeners.
/// Once a second it sweeps: flows idle past the timeout are closed, and quiet ones get their upstream keepalive.
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
    private readonly Dictionary<ILoopWatcher, (int Fd, GCHandle Handle)> _watchers = [];
    private readonly PriorityQueue<Action, long> _timers = new();
    private readonly Dictionary<SpliceFlow, GCHandle> _handles = [];
    private readonly List<GCHandle> _released = [];
    private readonly TimeSpan _idleTimeout;
    private readonly Lock _postLock = new();
    private volatile bool _stopping;
    private int _flowCount;

    // pipeCapacity: the size of each splice pipe (a test takes a one-page pipe, which one segment fills).
    public SpliceLoop(string name, TimeSpan idleTimeout, int maxIdlePipes = 256, int pipeCapacity = SplicePipe.PreferredCapacity)
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException("the splice relay declares epoll_event for x86-64 only");
        }

        _idleTimeout = idleTimeout;
        _pipes = new SplicePipePool(maxIdlePipes, pipeCapacity);
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
        Post(() => Register(flow));
    }

    /// <summary>Takes a flow on this loop's own thread (one its acceptor accepted): registered at once, no hop.</summary>
    internal void AddOnLoop(SpliceFlow flow)
    {
        flow.Loop = this;
        Interlocked.Increment(ref _flowCount);
        Register(flow);
    }

    /// <summary>
    /// Watches <paramref name="acceptor"/>'s listener from now on; from any thread but the loop's, and returns once it
    /// is watched. Its accept handler runs on the loop's thread and must not throw.
    /// </summary>
    public void AddAcceptor(SpliceAcceptor acceptor)
    {
        acceptor.Loop = this;
        var added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            if (Watch(acceptor, acceptor.ListenerFd, Libc.EpollIn))
            {
                added.SetResult();
            }
            else
            {
                added.SetException(new InvalidOperationException($"epoll_ctl(ADD listener) failed: errno {Marshal.GetLastPInvokeError()}"));
            }
        });
        added.Task.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Stops watching <paramref name="acceptor"/>'s listener; completes once the loop no longer touches its
    /// descriptor (so it may be closed). From any thread; at once when the loop has stopped.
    /// </summary>
    public Task RemoveAcceptorAsync(SpliceAcceptor acceptor)
    {
        var removed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            Post(() =>
            {
                Unwatch(acceptor);
                removed.SetResult();
            });
        }
        catch (ObjectDisposedException)
        {
            removed.TrySetResult();
        }

        return removed.Task;
    }

    /// <summary>Turns a watcher's descriptor back on (<see cref="Libc.EpollIn"/>) from any thread; a no-op once it is no longer watched.</summary>
    internal void RearmLater(ILoopWatcher watcher, uint events)
    {
        try
        {
            Post(() => Rearm(watcher, events));
        }
        catch (ObjectDisposedException)
        {
            // The loop is stopping.
        }
    }

    /// <summary>Starts watching <paramref name="fd"/> for <paramref name="watcher"/>; on the loop's thread. False when epoll refused it.</summary>
    internal bool Watch(ILoopWatcher watcher, int fd, uint events)
    {
        var handle = GCHandle.Alloc(watcher);
        if (!TryRegister(fd, events, (ulong)GCHandle.ToIntPtr(handle)))
        {
            handle.Free();
            return false;
        }

        _watchers.Add(watcher, (fd, handle));
        return true;
    }

    /// <summary>Changes what a watcher waits for (0: nothing, for now); on the loop's thread; a no-op once it is no longer watched.</summary>
    internal unsafe void Rearm(ILoopWatcher watcher, uint events)
    {
        if (!_watchers.TryGetValue(watcher, out var watched))
        {
            return; // its descriptor may already belong to another socket
        }

        var registration = new EpollEvent { Events = events, Data = (ulong)GCHandle.ToIntPtr(watched.Handle) };
        Libc.EpollCtl(_epollFd, Libc.EpollCtlMod, watched.Fd, &registration);
    }

    /// <summary>Stops watching; on the loop's thread. The descriptor stays open (its owner closes it).</summary>
    internal unsafe void Unwatch(ILoopWatcher watcher)
    {
        if (!_watchers.Remove(watcher, out var watched))
        {
            return;
        }

        var registration = default(EpollEvent);
        Libc.EpollCtl(_epollFd, Libc.EpollCtlDel, watched.Fd, &registration);
        _released.Add(watched.Handle); // freed after the current batch, which may still name it
    }

    /// <summary>Runs <paramref name="action"/> on the loop's thread once Environment.TickCount64 reaches <paramref name="dueTicks"/>.</summary>
    internal void At(long dueTicks, Action action) => _timers.Enqueue(action, dueTicks);

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
        lock (_postLock)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
        }

        Wake();
        _thread.Join();
        Libc.Close(_eventFd);
        Libc.Close(_epollFd);
        _pipes.Dispose();
    }

    /// <summary>Queues work for the loop's thread; under a lock with <see cref="Dispose"/>, so nothing wakes a closed eventfd.</summary>
    private void Post(Action action)
    {
        lock (_postLock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _posted.Enqueue(action);
            Wake();
        }
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
            var count = Libc.EpollWait(_epollFd, events, MaxEvents, WaitTimeout(Environment.TickCount64, nextSweep));
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

                var target = GCHandle.FromIntPtr((nint)events[i].Data).Target;
                if (target is SpliceFlow flow)
                {
                    if (!flow.IsClosed && !flow.Pump(_pipes))
                    {
                        Forget(flow);
                    }
                }
                else if (target is ILoopWatcher watcher && _watchers.ContainsKey(watcher))
                {
                    watcher.OnReady(events[i].Events);
                }
            }

            var now = Environment.TickCount64;
            RunDueTimers(now);
            if (now >= nextSweep)
            {
                nextSweep = now + 1000;
                SweepIdle(now);
            }

            // Only now, after the whole batch: a flow may appear twice in one batch (both sockets).
            FreeReleasedHandles();
        }

        RunPosted();
        foreach (var watcher in _watchers.Keys.ToArray())
        {
            Unwatch(watcher);
            watcher.Abandon();
        }

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
            flow.FailConnect(Egress.DialResult.Failure(Egress.DialOutcome.TimedOut, "no answer within the connect timeout"), _pipes);
            Forget(flow);
        }

        foreach (var flow in _flows)
        {
            flow.ArmKeepAliveWhenQuiet(now);
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

    private void Register(SpliceFlow flow)
    {
        if (flow.IsClosed)
        {
            // Closed before this ran (a close posted between Add's hand-over and its registration): its descriptors
            // are gone, and their numbers may already be another socket's, which must not enter this epoll set.
            Interlocked.Decrement(ref _flowCount);
            return;
        }

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
    }

    /// <summary>Milliseconds epoll may wait: until the next sweep, or sooner when a timer is due.</summary>
    private int WaitTimeout(long now, long nextSweep)
    {
        var until = _timers.TryPeek(out _, out var due) ? Math.Min(nextSweep, due) : nextSweep;
        return (int)Math.Clamp(until - now, 0, 1000);
    }

    private void RunDueTimers(long now)
    {
        while (_timers.TryPeek(out var action, out var due) && due <= now)
        {
            _timers.Dequeue();
            action();
        }
    }

    private unsafe bool TryRegister(int fd, uint events, ulong token)
    {
        var registration = new EpollEvent { Events = events, Data = token };
        return Libc.EpollCtl(_epollFd, Libc.EpollCtlAdd, fd, &registration) == 0;
    }
}
