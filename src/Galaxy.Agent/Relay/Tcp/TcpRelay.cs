using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Interop;
using Galaxy.Agent.Relay.Splice;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Relay.Tcp;

/// <summary>
/// Picks the egress of a new flow; a null dialer refuses it (the client gets a reset). <paramref name="domain"/> is the
/// name the client asked for when the relay learned it from the first bytes (TLS SNI, HTTP Host), else null.
/// </summary>
internal delegate FlowRoute TcpRoute(IPEndPoint client, IPEndPoint destination, string? domain);

/// <summary>
/// The TCP side of the transparent relay: accepts the flows the firewall hands over with TPROXY (the
/// accepted socket's local address is where the client was going), asks the route for an egress, dials
/// through it, and gives the connected pair to a splice loop. A refusal or a failed dial resets the client
/// at once. Past <see cref="TcpRelayOptions.MaxConnections"/> it stops accepting until a flow ends. With
/// <see cref="TcpRelayOptions.SniffDomain"/> the route also gets the name from the client's first bytes.
/// <para>
/// Each listener is watched by a splice loop (<see cref="SpliceAcceptor"/>), which accepts on its own thread,
/// looks at the first bytes when domain rules need them (<see cref="SniffingClient"/>), and dials and splices
/// a flow whose egress can start in the loop (a device, the WAN, a proxy a plain connect away) right there,
/// with no thread hop. Only other egresses (a proxy behind another proxy, an SSH pool) dial on the thread pool
/// with a .NET socket (<see cref="HandleAsync"/>).
/// </para>
/// </summary>
internal sealed partial class TcpRelay : IAsyncDisposable
{
    private readonly Socket[] _listeners;
    private readonly TcpRoute _route;
    private readonly SpliceLoop[] _loops;
    private readonly TcpRelayOptions _options;
    private readonly ConnectionSlots _slots;
    private readonly SpliceAcceptor[] _acceptors;
    private readonly Action<FlowSummary>? _onFlowClosed;
    private readonly FlowRegistry? _registry;
    private readonly ILogger? _logger;
    private readonly EgressDialFailures? _dialFailureTally;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationToken _stopping; // read on the loops, also after DisposeAsync
    private readonly Func<int, bool>? _upstreamKeepAlive; // one delegate for every flow
    private int _nextLoop;
    private long _refused;
    private long _dialFailures;

    public TcpRelay(Socket listener, TcpRoute route, SpliceLoop[] loops, TcpRelayOptions options, Action<FlowSummary>? onFlowClosed = null,
        FlowRegistry? registry = null, ILogger? logger = null, EgressDialFailures? dialFailures = null)
        : this([listener], route, loops, options, onFlowClosed, registry, logger, dialFailures)
    {
    }

    /// <summary>
    /// A relay over several listeners (both families, and several sockets of one port sharing it with
    /// SO_REUSEPORT so the kernel spreads new connections over them); each has its own accept loop.
    /// </summary>
    public TcpRelay(IReadOnlyList<Socket> listeners, TcpRoute route, SpliceLoop[] loops, TcpRelayOptions options,
        Action<FlowSummary>? onFlowClosed = null, FlowRegistry? registry = null, ILogger? logger = null, EgressDialFailures? dialFailures = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(listeners.Count);
        _registry = registry;
        _logger = logger;
        _dialFailureTally = dialFailures;
        _listeners = [.. listeners];
        _route = route;
        _loops = loops;
        _options = options;
        // Accepted sockets inherit TCP_NODELAY and keepalive from their listener: the client side costs nothing per flow.
        foreach (var listener in _listeners)
        {
            var fd = (int)listener.SafeHandle.DangerousGetHandle();
            SetNoDelay(fd);
            options.KeepAlive?.Apply(fd);
        }

        _upstreamKeepAlive = options.KeepAlive is { } keepAlive ? keepAlive.Apply : null;

        _stopping = _stop.Token;
        _slots = new ConnectionSlots(options.MaxConnections);
        _acceptors = [.. _listeners.Select(listener => new SpliceAcceptor(listener, _slots, OnAccepted))];
        _onFlowClosed = onFlowClosed;
    }

    /// <summary>
    /// The (first) listener's address (what the TPROXY rule points at). Once read, .NET hands this address to
    /// every socket the listener accepts as its LocalEndPoint; the relay itself asks the kernel (<see cref="OriginalDestination"/>).
    /// </summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listeners[0].LocalEndPoint!;

    /// <summary>Flows accepted by each listener, in the order given (how the kernel spread them).</summary>
    public long[] AcceptedPerListener => [.. _acceptors.Select(a => a.Accepted)];

    /// <summary>Flows refused or whose dial failed.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Of <see cref="Refused"/>, the flows whose dial failed (not refused by route or policy).</summary>
    public long DialFailures => Interlocked.Read(ref _dialFailures);

    /// <summary>A transparent listening socket on <paramref name="endPoint"/> (made with <paramref name="sockets"/>).</summary>
    public static Socket Listen(IPEndPoint endPoint, int backlog, SocketFactory? sockets = null) => TransparentListener.Tcp(endPoint, backlog, sockets);

    /// <summary>
    /// <paramref name="count"/> transparent listening sockets on <paramref name="endPoint"/>; more than one share
    /// the port with SO_REUSEPORT.
    /// </summary>
    public static Socket[] Listen(IPEndPoint endPoint, int backlog, int count, SocketFactory? sockets = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var listeners = new List<Socket>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                listeners.Add(TransparentListener.Tcp(endPoint, backlog, sockets, reusePort: count > 1));
            }

            return [.. listeners];
        }
        catch
        {
            listeners.ForEach(l => l.Dispose());
            throw;
        }
    }

    /// <summary>Starts accepting: listener i is watched by loop i (modulo the loops), whose thread accepts its flows.</summary>
    public void Start()
    {
        for (var i = 0; i < _acceptors.Length; i++)
        {
            _loops[i % _loops.Length].AddAcceptor(_acceptors[i]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);

        // The loops let go of the listeners' descriptors before they close (a reused number is never accepted from),
        // also those of a Start that failed halfway.
        await Task.WhenAll(_acceptors.Where(a => a.Loop is not null).Select(a => a.Loop!.RemoveAcceptorAsync(a))).ConfigureAwait(false);

        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        _stop.Dispose();
    }

    /// <summary>
    /// A new connection, on the thread of the loop that accepted it (<paramref name="fd"/> is non-blocking and now
    /// owned here, and a connection slot is taken for it). With domain rules the loop first waits for the
    /// name in its first bytes (<see cref="SniffingClient"/>); then <see cref="Dispatch"/>. Never throws.
    /// </summary>
    private void OnAccepted(int fd, IPEndPoint source, SpliceLoop loop)
    {
        IPEndPoint destination;
        try
        {
            destination = OriginalDestination.Of(fd);
        }
        catch (SocketException)
        {
            Drop(fd);
            return;
        }

        if (HasFailed(fd))
        {
            // Reset while it waited in the listen queue (a client that gave up during an overload): it is not
            // dialed, so a backlog of dead connections drains at accept speed.
            Drop(fd);
            return;
        }

        if (_options.SniffDomain || _options.SniffDomainWhen?.Invoke() == true)
        {
            if (!SniffingClient.TryStart(fd, source, destination, loop, _options.SniffTimeout, OnSniffed, sniffing => Drop(sniffing.Fd)))
            {
                Drop(fd);
            }

            return;
        }

        Dispatch(fd, source, destination, null, loop);
    }

    private void OnSniffed(SniffingClient client, string? domain) => Dispatch(client.Fd, client.Source, client.Destination, domain, client.Loop);

    /// <summary>Resets a new client that will not be relayed, and gives its slot back.</summary>
    private void Drop(int fd)
    {
        FlowSocket.SetResetOnClose(fd);
        Libc.Close(fd);
        _slots.Release();
    }

    /// <summary>
    /// Routes a new flow on its loop's thread (<paramref name="fd"/> owned here, its slot taken). An in-loop egress
    /// (a plain connect, or a proxy a plain connect away) is dialed and the flow spliced on this loop at once;
    /// any other egress dials on the thread pool (<see cref="HandleAsync"/>). A refusal or a failed dial resets
    /// the client. Never throws: the loop must go on.
    /// </summary>
    private void Dispatch(int fd, IPEndPoint source, IPEndPoint destination, string? domain, SpliceLoop loop)
    {
        var owned = true; // until the flow or a .NET socket takes the descriptor
        Socket? upstream = null;
        IUpstreamHandshake? handshake = null;
        FlowRegistration? registration = null;
        try
        {
            if (_stopping.IsCancellationRequested)
            {
                return; // the relay is closing: a flow that finished its sniff now is reset, not started
            }

            var epoch = _registry?.Epoch;
            var route = _route(source, destination, domain);
            if (route.Dialer is not { } dialer)
            {
                Interlocked.Increment(ref _refused);
                return;
            }

            if (dialer is not IInLoopConnectDialer { CanStartInLoop: true } inLoop)
            {
                var client = AdoptAsSocket(fd, ref owned);
                _ = Task.Run(() => HandleAsync(client, source, destination, route, epoch, _stopping));
                return;
            }

            registration = _registry?.Begin(FlowProtocol.Tcp, source, destination, inLoop.Name, route.Rule, epoch);
            if (registration is { CloseRequested: true })
            {
                Interlocked.Increment(ref _refused);
                return; // its egress was closed after it was routed: never dialed
            }

            var dial = inLoop.StartConnect(destination, out handshake);
            upstream = dial.Socket;
            if (upstream is null)
            {
                CountDialFailure(source, destination, inLoop, dial);
                return;
            }

            if (registration is { CloseRequested: true })
            {
                return; // its egress was closed while it dialed: never started
            }

            var flow = new SpliceFlow(FlowSocket.Adopt(fd), FlowSocket.Of(upstream), source, destination, inLoop.ConnectTimeout, handshake,
                failure => CountDialFailure(source, destination, inLoop, failure), ClosedCallback(registration))
            {
                UpstreamKeepAlive = _upstreamKeepAlive,
            };
            owned = false;
            upstream = null;
            handshake = null;

            // Attached before it runs: a flow that ends at once (a refused connect) still reports its accounting.
            var attached = registration?.Attach(flow) ?? true;
            loop.AddOnLoop(flow);
            if (!attached || registration?.CloseRequested == true)
            {
                // Closed between the dial and now (a close that came before the flow knew its loop is asked again).
                flow.RequestClose();
            }

            registration = null;
        }
        catch (Exception e)
        {
            // Whatever failed (no descriptor for the upstream, a route that threw), the flow fails closed.
            if (_logger is not null && e is not (SocketException or ObjectDisposedException))
            {
                RelayLog.AcceptFailed(_logger, source, e);
            }
        }
        finally
        {
            if (owned)
            {
                if (upstream is not null)
                {
                    Reset(upstream);
                }

                handshake?.Dispose();
                if (registration is not null)
                {
                    _registry!.End(registration);
                }

                Drop(fd);
            }
        }
    }

    /// <summary>The callback of a flow handed to a loop: gives its slot back, ends its registration, reports it.</summary>
    private Action<FlowSummary> ClosedCallback(FlowRegistration? registration) => summary =>
    {
        _slots.Release();
        if (registration is not null)
        {
            _registry!.End(registration);
        }

        _onFlowClosed?.Invoke(summary);
    };

    /// <summary>
    /// The accepted descriptor as a blocking .NET socket (the async path's reads and sends), which then owns it;
    /// <paramref name="owned"/> turns false once it does.
    /// </summary>
    private static Socket AdoptAsSocket(int fd, ref bool owned)
    {
        var flags = Libc.Fcntl(fd, Libc.FGetFl, 0);
        if (flags < 0 || Libc.Fcntl(fd, Libc.FSetFl, flags & ~Libc.ONonBlock) < 0)
        {
            throw new SocketException(Marshal.GetLastPInvokeError());
        }

        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            var socket = new Socket(handle);
            owned = false;
            return socket;
        }
        catch
        {
            handle.SetHandleAsInvalid(); // the caller still owns the descriptor: it resets it and gives the slot back
            throw;
        }
    }

    /// <summary>
    /// A flow whose egress dials on the thread pool (a proxy reached through another proxy, an SSH pool, a drop):
    /// owns <paramref name="client"/> and its connection slot, and hands the connected pair to a splice loop.
    /// </summary>
    private async Task HandleAsync(Socket client, IPEndPoint source, IPEndPoint destination, FlowRoute route, long? routedAt, CancellationToken cancellationToken)
    {
        var dialer = route.Dialer!;
        var handedOver = false;
        var silent = false;
        Socket? upstream = null;
        FlowRegistration? registration = null;
        try
        {
            registration = _registry?.Begin(FlowProtocol.Tcp, source, destination, dialer.Name, route.Rule, routedAt);
            if (registration is { CloseRequested: true })
            {
                Interlocked.Increment(ref _refused);
                return; // its egress was closed after it was routed: never dialed
            }

            var dial = await dialer.DialTcpAsync(destination, cancellationToken).ConfigureAwait(false);
            upstream = dial.Socket;
            if (upstream is null)
            {
                CountDialFailure(source, destination, dialer, dial, egressClosed: registration is { CloseRequested: true });

                // Dropped by policy: the client hears nothing more (no FIN, no reset).
                silent = dial.Outcome == DialOutcome.Dropped && SocketOptions.TrySetRepair(client);

                return;
            }

            if (registration is { CloseRequested: true })
            {
                return; // its egress was closed while it dialed: never started
            }

            if (!dial.EarlyData.IsEmpty)
            {
                // Bytes the upstream sent right after a proxy handshake come first (the client socket is
                // still blocking here, and the amount is at most one handshake buffer).
                client.Send(dial.EarlyData.Span);
            }

            var loop = _loops[(int)((uint)Interlocked.Increment(ref _nextLoop) % (uint)_loops.Length)];
            var flow = new SpliceFlow(FlowSocket.Of(client), FlowSocket.Of(upstream), source, destination, ClosedCallback(registration))
            {
                UpstreamKeepAlive = _upstreamKeepAlive,
            };
            var attached = registration?.Attach(flow) ?? true;
            loop.Add(flow);
            handedOver = true;
            if (!attached || registration?.CloseRequested == true)
            {
                flow.RequestClose(); // closed between the dial and now; runs after the loop has taken it
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away while we dialed: nothing to hand over.
        }
        finally
        {
            if (!handedOver)
            {
                if (silent)
                {
                    client.Dispose();
                }
                else
                {
                    Reset(client);
                }

                if (upstream is not null)
                {
                    Reset(upstream);
                }

                if (registration is not null)
                {
                    _registry!.End(registration);
                }

                _slots.Release();
            }
        }
    }

    /// <summary>
    /// Counts a flow whose dial through <paramref name="dialer"/> did not connect: a refusal by policy (the
    /// <c>reject</c> and <c>drop</c> targets), or a dial cut short because the agent closed the egress's flows
    /// meanwhile (<paramref name="egressClosed"/>: lockdown, the egress went down), only as refused; any other
    /// failure also as a dial failure of its egress.
    /// </summary>
    private void CountDialFailure(IPEndPoint source, IPEndPoint destination, IEgressDialer dialer, DialResult dial, bool egressClosed = false)
    {
        Interlocked.Increment(ref _refused);
        if (dialer is not BlockDialer && !egressClosed)
        {
            Interlocked.Increment(ref _dialFailures);
            _dialFailureTally?.Record(dialer.Name, destination, dial.Reason);
        }

        if (_logger is not null)
        {
            RelayLog.DialFailed(_logger, source, destination, dialer.Name, dial.Outcome, dial.Reason);
        }
    }

    /// <summary>True when the socket has a pending error (SO_ERROR), such as a reset that came before accept.</summary>
    private static bool HasFailed(int fd) => FlowSocket.PendingError(fd) != 0;

    /// <summary>TCP_NODELAY: what is spliced to the client goes out at once, never held back for a fuller segment.</summary>
    private static unsafe void SetNoDelay(int fd)
    {
        var on = 1;
        Libc.SetSockOpt(fd, Libc.SolTcp, Libc.TcpNoDelay, &on, sizeof(int));
    }

    /// <summary>Closes with SO_LINGER 0: the client sees a reset at once, never a half-open connection.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }
}
