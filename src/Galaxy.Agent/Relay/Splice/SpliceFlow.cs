using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Interop;

namespace Galaxy.Agent.Relay.Splice;

/// <summary>What a flow reports when it ends: its endpoints, bytes each way, and why it ended.</summary>
internal readonly record struct FlowSummary(
    IPEndPoint Client, IPEndPoint Destination, long BytesUp, long BytesDown, FlowCloseReason Reason, TimeSpan Duration);

/// <summary>
/// One relayed TCP connection moved by <c>splice(2)</c>: LAN client socket ⇄ pipe ⇄ upstream socket, each
/// way, with no managed buffer in between. It owns both sockets; only its loop's thread pumps or closes it.
/// Half-close is forwarded each way (FIN after the last byte), resets are propagated, and the first close
/// reason wins.
/// </summary>
internal sealed class SpliceFlow : IRelayedFlow
{
    private readonly FlowSocket _client;
    private readonly FlowSocket _upstream;
    private readonly SpliceDirection _up = new();   // client → upstream
    private readonly SpliceDirection _down = new(); // upstream → client
    private readonly Action<FlowSummary>? _onClosed;
    private readonly long _startTicks;
    private readonly Action<DialResult>? _onConnectFailed;
    private long _connectDeadlineTicks; // while the loop still waits for the upstream connect (and handshake); 0 once connected
    private IUpstreamHandshake? _handshake; // a proxy's, run once the upstream is connected; null once done
    private bool _upstreamConnected;
    private bool _keepAliveArmed;

    /// <summary>A flow whose upstream is already connected (and granted, for a proxy).</summary>
    public SpliceFlow(FlowSocket client, FlowSocket upstream, IPEndPoint clientEndPoint, IPEndPoint destination, Action<FlowSummary>? onClosed)
    {
        _client = client;
        _upstream = upstream;
        ClientEndPoint = clientEndPoint;
        Destination = destination;
        _onClosed = onClosed;
        _startTicks = Environment.TickCount64;
        LastActivityTicks = _startTicks;
    }

    /// <summary>
    /// A flow whose upstream connect was started (<see cref="IInLoopConnectDialer.StartConnect"/>) and is
    /// finished by the loop, with the proxy's <paramref name="handshake"/> (which the flow then owns) when there
    /// is one: nothing moves until the upstream is connected and granted; a failed or overdue dial calls
    /// <paramref name="onConnectFailed"/> and ends the flow with a reset of the client.
    /// </summary>
    public SpliceFlow(FlowSocket client, FlowSocket connectingUpstream, IPEndPoint clientEndPoint, IPEndPoint destination, TimeSpan connectTimeout,
        IUpstreamHandshake? handshake, Action<DialResult> onConnectFailed, Action<FlowSummary>? onClosed)
        : this(client, connectingUpstream, clientEndPoint, destination, onClosed)
    {
        _handshake = handshake;
        _onConnectFailed = onConnectFailed;
        _connectDeadlineTicks = _startTicks + (long)connectTimeout.TotalMilliseconds;
    }

    public IPEndPoint ClientEndPoint { get; }

    public IPEndPoint Destination { get; }

    public long BytesUp => Volatile.Read(ref _up.Bytes);

    public long BytesDown => Volatile.Read(ref _down.Bytes);

    /// <summary>
    /// Turns keepalive on for the upstream socket (the client's inherits it from the listener). Not at the dial: the
    /// loop's sweep calls it once the flow has been quiet for <see cref="QuietBeforeKeepAliveMs"/>, so the many flows
    /// that end sooner spend no system call on it. The probes still start after the keepalive's idle time of silence:
    /// setting TCP_KEEPIDLE on a socket with SO_KEEPALIVE counts it from the last segment received.
    /// </summary>
    internal Func<int, bool>? UpstreamKeepAlive { private get; init; }

    /// <summary>How long a flow is quiet before its upstream gets keepalive.</summary>
    internal const long QuietBeforeKeepAliveMs = 1000;

    /// <summary>The loop moving this flow (set when it is handed over).</summary>
    internal SpliceLoop? Loop { get; set; }

    /// <summary>Asks the loop to close this flow (resetting both sides); from any thread.</summary>
    public void RequestClose() => Loop?.RequestClose(this);

    public bool IsClosed { get; private set; }

    /// <summary>When a byte last moved (Environment.TickCount64), for the idle timeout.</summary>
    public long LastActivityTicks { get; private set; }

    internal int ClientFd => _client.Fd;

    internal int UpstreamFd => _upstream.Fd;

    /// <summary>Moves whatever can move now, both ways, until every side would block. False once closed.</summary>
    internal bool Pump(SplicePipePool pool)
    {
        if (IsClosed)
        {
            return false;
        }

        if (_connectDeadlineTicks != 0)
        {
            if (!_upstreamConnected)
            {
                var connect = PollConnect();
                if (connect == SocketError.InProgress)
                {
                    return true; // the upstream's EPOLLOUT (or error) comes later
                }

                if (connect != SocketError.Success)
                {
                    FailConnect(DialResult.FromSocketError(connect), pool);
                    return false;
                }

                _upstreamConnected = true; // a handshake's own reads see any later error
            }

            if (_handshake is not null && !Handshake(pool))
            {
                return !IsClosed; // waiting for the proxy, or failed and closed
            }

            _connectDeadlineTicks = 0;
        }

        var outcome = PumpDirection(_up, _client.Fd, _upstream.Fd, pool);
        if (outcome == PumpOutcome.Continue)
        {
            outcome = PumpDirection(_down, _upstream.Fd, _client.Fd, pool);
        }

        if (outcome != PumpOutcome.Continue)
        {
            Close(outcome switch
            {
                PumpOutcome.ClientGone => FlowCloseReason.ClientReset,
                PumpOutcome.UpstreamGone => FlowCloseReason.UpstreamReset,
                _ => FlowCloseReason.Failed,
            }, pool);
            return false;
        }

        if (_up.Done && _down.Done)
        {
            Close(FlowCloseReason.Completed, pool);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Ends the flow: its pipes go back to the pool, and both sockets close — with a reset (SO_LINGER 0)
    /// unless it completed, so a flow cut by the relay is never mistaken for a clean end.
    /// </summary>
    internal void Close(FlowCloseReason reason, SplicePipePool pool)
    {
        if (IsClosed)
        {
            return;
        }

        IsClosed = true;
        _handshake?.Dispose();
        _handshake = null;
        foreach (var direction in (ReadOnlySpan<SpliceDirection>)[_up, _down])
        {
            if (direction.Pipe is { } pipe)
            {
                direction.Pipe = null;
                pool.Return(pipe);
            }
        }

        var reset = reason != FlowCloseReason.Completed;
        _client.Close(reset);
        _upstream.Close(reset);
        _onClosed?.Invoke(new FlowSummary(ClientEndPoint, Destination, _up.Bytes, _down.Bytes, reason,
            TimeSpan.FromMilliseconds(Environment.TickCount64 - _startTicks)));
    }

    /// <summary>Turns the upstream's keepalive on once the flow is connected and has been quiet a while (see <see cref="UpstreamKeepAlive"/>).</summary>
    internal void ArmKeepAliveWhenQuiet(long now)
    {
        if (!_keepAliveArmed && UpstreamKeepAlive is { } arm && _connectDeadlineTicks == 0 && !IsClosed && now - LastActivityTicks >= QuietBeforeKeepAliveMs)
        {
            _keepAliveArmed = true;
            arm(_upstream.Fd);
        }
    }

    /// <summary>True when the upstream connect is still pending at <paramref name="now"/> (TickCount64) past its deadline.</summary>
    internal bool ConnectOverdue(long now) => _connectDeadlineTicks != 0 && now >= _connectDeadlineTicks;

    /// <summary>Gives up a pending dial: reports why, then resets the client and closes both sockets.</summary>
    internal void FailConnect(DialResult failure, SplicePipePool pool)
    {
        _connectDeadlineTicks = 0;
        _onConnectFailed?.Invoke(failure);
        Close(FlowCloseReason.DialFailed, pool);
    }

    /// <summary>
    /// Advances the proxy's handshake on the connected upstream: true once granted (what the proxy sent past
    /// its reply has gone to the client); false while it waits, or when it failed (the flow is then closed).
    /// </summary>
    private unsafe bool Handshake(SplicePipePool pool)
    {
        var handshake = _handshake!;
        switch (handshake.Advance(_upstream.Fd))
        {
            case HandshakeProgress.Waiting:
                return false;
            case HandshakeProgress.Failed:
                FailConnect(handshake.Failure, pool);
                return false;
        }

        // The client's socket has sent nothing yet, so its send buffer takes these few bytes whole.
        var early = handshake.Remainder;
        nint sent = 0;
        if (!early.IsEmpty)
        {
            fixed (byte* bytes = early)
            {
                sent = Libc.Send(_client.Fd, bytes, (nuint)early.Length, Libc.MsgDontWait | Libc.MsgNoSignal);
            }
        }

        if (sent != early.Length)
        {
            Close(FlowCloseReason.Failed, pool);
            return false;
        }

        _down.Bytes += sent;
        handshake.Dispose();
        _handshake = null;
        return true;
    }

    /// <summary>Success once the upstream is connected, InProgress while it is not, else why it failed.</summary>
    private unsafe SocketError PollConnect()
    {
        var error = FlowSocket.PendingError(_upstream.Fd);
        if (error < 0)
        {
            return SocketError.SocketError;
        }

        if (error != 0)
        {
            return NonBlockingConnect.FromErrno(error);
        }

        var address = stackalloc byte[128];
        var addressLength = 128u;
        if (Libc.GetPeerName(_upstream.Fd, address, &addressLength) == 0)
        {
            return SocketError.Success;
        }

        return Marshal.GetLastPInvokeError() == Libc.ENOTCONN ? SocketError.InProgress : SocketError.SocketError;
    }

    /// <summary>
    /// Moves one direction until it would block. The pipe is filled first, until the source has nothing more, has
    /// ended (FIN) or the pipe is full; then it is drained. So a FIN that came with the last bytes is known before
    /// they go out: they are written with SPLICE_F_MORE (held in the socket, not pushed) and the FIN that follows at
    /// once leaves in the same segment, instead of one more packet each way.
    /// </summary>
    /// <remarks>
    /// A read refused (EAGAIN) while the pipe holds bytes does not say the source is empty: a pipe is full by its
    /// slots (one per received segment, 256 in 1 MiB), not by bytes. Then the pipe is drained and read again, as no
    /// new edge would come for bytes already queued. Only a refusal with an empty pipe means nothing is left.
    /// </remarks>
    private PumpOutcome PumpDirection(SpliceDirection direction, int source, int destination, SplicePipePool pool)
    {
        var sourceGone = source == _client.Fd ? PumpOutcome.ClientGone : PumpOutcome.UpstreamGone;
        var destinationGone = source == _client.Fd ? PumpOutcome.UpstreamGone : PumpOutcome.ClientGone;
        var sourceEmpty = false; // the source said EAGAIN to an empty pipe: bytes that arrive later bring a new edge
        var pipeFull = false;    // the source said EAGAIN to a pipe holding bytes: drain it, then read again
        while (true)
        {
            if (!direction.SourceFinished && !sourceEmpty && !pipeFull)
            {
                // Out of descriptors (EMFILE/ENFILE) the flow cannot continue: it fails, it is never left stalled.
                var pipe = direction.Pipe ??= pool.Rent(out _);
                if (pipe is null)
                {
                    return PumpOutcome.Failed;
                }

                var read = pipe.Buffered < pipe.Capacity
                    ? Libc.Splice(source, 0, pipe.WriteFd, 0, (nuint)(pipe.Capacity - pipe.Buffered), Libc.SpliceMove | Libc.SpliceNonBlock)
                    : -2;
                if (read > 0)
                {
                    pipe.Buffered += (int)read;
                    LastActivityTicks = Environment.TickCount64;
                    continue;
                }

                if (read == 0)
                {
                    direction.SourceFinished = true;
                }
                else if (read == -2)
                {
                    pipeFull = true;
                }
                else
                {
                    var readErrno = Marshal.GetLastPInvokeError();
                    if (readErrno == Libc.EINTR)
                    {
                        continue;
                    }

                    if (readErrno != Libc.EAGAIN)
                    {
                        // What came before the reset still goes out first (the flow is then reset).
                        if (pipe.Buffered > 0)
                        {
                            var flushed = Libc.Splice(pipe.ReadFd, 0, destination, 0, (nuint)pipe.Buffered, Libc.SpliceMove | Libc.SpliceNonBlock);
                            if (flushed > 0)
                            {
                                pipe.Buffered -= (int)flushed;
                                direction.Bytes += flushed;
                            }
                        }

                        return sourceGone;
                    }

                    sourceEmpty = pipe.Buffered == 0;
                    pipeFull = !sourceEmpty;
                }
            }

            if (direction.Pipe is { Buffered: > 0 } buffered)
            {
                var more = direction.SourceFinished ? Libc.SpliceMore : 0;
                var written = Libc.Splice(buffered.ReadFd, 0, destination, 0, (nuint)buffered.Buffered, Libc.SpliceMove | Libc.SpliceNonBlock | more);
                if (written > 0)
                {
                    buffered.Buffered -= (int)written;
                    direction.Bytes += written;
                    LastActivityTicks = Environment.TickCount64;
                    pipeFull &= buffered.Buffered > 0; // drained: read again
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (written < 0 && errno == Libc.EINTR)
                {
                    continue;
                }

                return written < 0 && errno == Libc.EAGAIN ? PumpOutcome.Continue : destinationGone;
            }

            if (direction.SourceFinished && !direction.FinForwarded)
            {
                direction.FinForwarded = true;

                // The last direction to finish leaves its FIN to the close that follows at once (close(2) sends it,
                // as nothing is left unread); otherwise shutdown. A peer that already reset makes this fail; the
                // other direction notices.
                if (!(ReferenceEquals(direction, _up) ? _down : _up).Done)
                {
                    Libc.Shutdown(destination, Libc.ShutWr);
                }
            }

            ReleasePipe(direction, pool);
            return PumpOutcome.Continue;
        }
    }

    private static void ReleasePipe(SpliceDirection direction, SplicePipePool pool)
    {
        if (direction.Pipe is { Buffered: 0 } pipe)
        {
            direction.Pipe = null;
            pool.Return(pipe);
        }
    }

    private enum PumpOutcome
    {
        Continue,
        ClientGone,
        UpstreamGone,
        Failed,
    }
}
