using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
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
    private readonly Socket _client;
    private readonly Socket _upstream;
    private readonly int _clientFd;
    private readonly int _upstreamFd;
    private readonly SpliceDirection _up = new();   // client → upstream
    private readonly SpliceDirection _down = new(); // upstream → client
    private readonly Action<FlowSummary>? _onClosed;
    private readonly long _startTicks;

    /// <param name="bytesUpBefore">Client bytes the relay already sent up itself (taken while sniffing), counted in <see cref="BytesUp"/>.</param>
    public SpliceFlow(Socket client, Socket upstream, IPEndPoint clientEndPoint, IPEndPoint destination, Action<FlowSummary>? onClosed,
        long bytesUpBefore = 0)
    {
        _up.Bytes = bytesUpBefore;
        _client = client;
        _upstream = upstream;
        client.Blocking = false;
        upstream.Blocking = false;
        _clientFd = (int)client.SafeHandle.DangerousGetHandle();
        _upstreamFd = (int)upstream.SafeHandle.DangerousGetHandle();
        ClientEndPoint = clientEndPoint;
        Destination = destination;
        _onClosed = onClosed;
        _startTicks = Environment.TickCount64;
        LastActivityTicks = _startTicks;
    }

    public IPEndPoint ClientEndPoint { get; }

    public IPEndPoint Destination { get; }

    public long BytesUp => Volatile.Read(ref _up.Bytes);

    public long BytesDown => Volatile.Read(ref _down.Bytes);

    /// <summary>The loop moving this flow (set when it is handed over).</summary>
    internal SpliceLoop? Loop { get; set; }

    /// <summary>Asks the loop to close this flow (resetting both sides); from any thread.</summary>
    public void RequestClose() => Loop?.RequestClose(this);

    public bool IsClosed { get; private set; }

    /// <summary>When a byte last moved (Environment.TickCount64), for the idle timeout.</summary>
    public long LastActivityTicks { get; private set; }

    internal int ClientFd => _clientFd;

    internal int UpstreamFd => _upstreamFd;

    /// <summary>Moves whatever can move now, both ways, until every side would block. False once closed.</summary>
    internal bool Pump(SplicePipePool pool)
    {
        if (IsClosed)
        {
            return false;
        }

        var outcome = PumpDirection(_up, _clientFd, _upstreamFd, _upstream, pool);
        if (outcome == PumpOutcome.Continue)
        {
            outcome = PumpDirection(_down, _upstreamFd, _clientFd, _client, pool);
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
        foreach (var direction in (ReadOnlySpan<SpliceDirection>)[_up, _down])
        {
            if (direction.Pipe is { } pipe)
            {
                direction.Pipe = null;
                pool.Return(pipe);
            }
        }

        if (reason != FlowCloseReason.Completed)
        {
            Abort(_client);
            Abort(_upstream);
        }

        _client.Dispose();
        _upstream.Dispose();
        _onClosed?.Invoke(new FlowSummary(ClientEndPoint, Destination, _up.Bytes, _down.Bytes, reason,
            TimeSpan.FromMilliseconds(Environment.TickCount64 - _startTicks)));
    }

    private PumpOutcome PumpDirection(SpliceDirection direction, int source, int destination, Socket destinationSocket, SplicePipePool pool)
    {
        var sourceGone = source == _clientFd ? PumpOutcome.ClientGone : PumpOutcome.UpstreamGone;
        var destinationGone = source == _clientFd ? PumpOutcome.UpstreamGone : PumpOutcome.ClientGone;
        while (true)
        {
            // Drain what is buffered first.
            if (direction.Pipe is { Buffered: > 0 } pipe)
            {
                var written = Libc.Splice(pipe.ReadFd, 0, destination, 0, (nuint)pipe.Buffered, Libc.SpliceMove | Libc.SpliceNonBlock);
                if (written > 0)
                {
                    pipe.Buffered -= (int)written;
                    direction.Bytes += written;
                    LastActivityTicks = Environment.TickCount64;
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (written < 0 && errno == Libc.EINTR)
                {
                    continue;
                }

                return written < 0 && errno == Libc.EAGAIN ? PumpOutcome.Continue : destinationGone;
            }

            if (direction.SourceFinished)
            {
                if (!direction.FinForwarded)
                {
                    direction.FinForwarded = true;
                    ShutdownSend(destinationSocket);
                }

                ReleasePipe(direction, pool);
                return PumpOutcome.Continue;
            }

            // Out of descriptors (EMFILE/ENFILE) the flow cannot continue: it fails, it is never left stalled.
            direction.Pipe ??= pool.Rent(out _);
            if (direction.Pipe is null)
            {
                return PumpOutcome.Failed;
            }

            var read = Libc.Splice(source, 0, direction.Pipe.WriteFd, 0, (nuint)direction.Pipe.Capacity, Libc.SpliceMove | Libc.SpliceNonBlock);
            if (read > 0)
            {
                direction.Pipe.Buffered += (int)read;
                LastActivityTicks = Environment.TickCount64;
                continue;
            }

            if (read == 0)
            {
                direction.SourceFinished = true;
                continue;
            }

            var readErrno = Marshal.GetLastPInvokeError();
            if (readErrno == Libc.EINTR)
            {
                continue;
            }

            if (readErrno == Libc.EAGAIN)
            {
                ReleasePipe(direction, pool);
                return PumpOutcome.Continue;
            }

            return sourceGone;
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

    private static void ShutdownSend(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // Already reset or closed by the peer: the other direction will notice.
        }
    }

    private static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
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
