using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Galaxy.Agent.Egress;
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
/// </summary>
internal sealed partial class TcpRelay : IAsyncDisposable
{
    private readonly Socket[] _listeners;
    private readonly TcpRoute _route;
    private readonly SpliceLoop[] _loops;
    private readonly TcpRelayOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly Action<FlowSummary>? _onFlowClosed;
    private readonly FlowRegistry? _registry;
    private readonly ILogger? _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task[] _acceptLoops = [];
    private int _nextLoop;
    private long _refused;
    private readonly StrongBox<long>[] _accepted;
    private long _dialFailures;

    public TcpRelay(Socket listener, TcpRoute route, SpliceLoop[] loops, TcpRelayOptions options, Action<FlowSummary>? onFlowClosed = null,
        FlowRegistry? registry = null, ILogger? logger = null)
        : this([listener], route, loops, options, onFlowClosed, registry, logger)
    {
    }

    /// <summary>
    /// A relay over several listeners (both families, and several sockets of one port sharing it with
    /// SO_REUSEPORT so the kernel spreads new connections over them); each has its own accept loop.
    /// </summary>
    public TcpRelay(IReadOnlyList<Socket> listeners, TcpRoute route, SpliceLoop[] loops, TcpRelayOptions options,
        Action<FlowSummary>? onFlowClosed = null, FlowRegistry? registry = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(listeners.Count);
        _registry = registry;
        _logger = logger;
        _listeners = [.. listeners];
        _route = route;
        _loops = loops;
        _options = options;
        _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
        _accepted = [.. _listeners.Select(_ => new StrongBox<long>())];
        _onFlowClosed = onFlowClosed;
    }

    /// <summary>
    /// The (first) listener's address (what the TPROXY rule points at). Once read, .NET hands this address to
    /// every socket the listener accepts as its LocalEndPoint; the relay itself asks the kernel (<see cref="OriginalDestination"/>).
    /// </summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listeners[0].LocalEndPoint!;

    /// <summary>Flows accepted by each listener, in the order given (how the kernel spread them).</summary>
    public long[] AcceptedPerListener => [.. _accepted.Select(a => Interlocked.Read(ref a.Value))];

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

    public void Start() => _acceptLoops = [.. _listeners.Select((listener, i) => Task.Run(() => AcceptLoopAsync(listener, _accepted[i], _stop.Token)))];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(Socket listener, StrongBox<long> accepted, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Socket client;
            try
            {
                client = await listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(50);
                Interlocked.Increment(ref accepted.Value);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable)
            {
                // Out of descriptors: wait (growing to 1 s) instead of spinning on accept.
                _slots.Release();
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 1000));
                continue;
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException ||
                                      (e is SocketException && cancellationToken.IsCancellationRequested))
            {
                _slots.Release();
                return;
            }

            _ = HandleAsync(client, cancellationToken);
        }
    }

    private async Task HandleAsync(Socket client, CancellationToken cancellationToken)
    {
        var handedOver = false;
        var silent = false;
        Socket? upstream = null;
        FlowRegistration? registration = null;
        var sniffed = default(SniffResult);
        try
        {
            var source = (IPEndPoint)client.RemoteEndPoint!;
            var destination = OriginalDestination.Of(client);
            if (HasFailed(client))
            {
                // Reset while it waited in the listen queue (a client that gave up during an overload): it is
                // not dialed, so a backlog of dead connections drains at accept speed.
                return;
            }

            if (_options.SniffDomain || _options.SniffDomainWhen?.Invoke() == true)
            {
                sniffed = await SniffAsync(client, cancellationToken).ConfigureAwait(false);
            }

            var route = _route(source, destination, sniffed.Domain);
            if (route.Dialer is not { } dialer)
            {
                Interlocked.Increment(ref _refused);
                return;
            }

            registration = _registry?.Begin(FlowProtocol.Tcp, source, destination, dialer.Name, route.Rule);
            var inLoop = dialer as IInLoopConnectDialer;
            var dial = inLoop is not null && sniffed.TakenLength == 0
                ? inLoop.StartConnect(destination)
                : await dialer.DialTcpAsync(destination, cancellationToken).ConfigureAwait(false);
            upstream = dial.Socket;
            if (upstream is null)
            {
                CountDialFailure(source, destination, dialer.Name, dial);

                // Dropped by policy: the client hears nothing more (no FIN, no reset).
                silent = dial.Outcome == DialOutcome.Dropped && SocketOptions.TrySetRepair(client);

                return;
            }

            if (registration is { CloseRequested: true })
            {
                return; // its egress was closed while it dialed: never started
            }

            if (sniffed.TakenLength > 0)
            {
                // The first bytes the sniff step had to take from the client go up first (at most one sniff
                // buffer into a fresh connection's send buffer).
                upstream.Send(sniffed.Taken);
            }

            client.NoDelay = true;
            if (!dial.EarlyData.IsEmpty)
            {
                // Bytes the upstream sent right after a proxy handshake come first (the client socket is
                // still blocking here, and the amount is at most one handshake buffer).
                client.Send(dial.EarlyData.Span);
            }

            var loop = _loops[(int)((uint)Interlocked.Increment(ref _nextLoop) % (uint)_loops.Length)];
            Action<FlowSummary> closed = summary =>
            {
                _slots.Release();
                if (registration is not null)
                {
                    _registry!.End(registration);
                }

                _onFlowClosed?.Invoke(summary);
            };

            // A plain connect (a device, the WAN) is finished by the loop: the client is handed over now and
            // the loop starts moving bytes once the upstream is connected, or resets the client if it fails.
            var flow = inLoop is not null && sniffed.TakenLength == 0
                ? new SpliceFlow(client, upstream, source, destination, inLoop.ConnectTimeout,
                    error => CountDialFailure(source, destination, dialer.Name, DialResult.FromSocketError(error)), closed)
                : new SpliceFlow(client, upstream, source, destination, closed, sniffed.TakenLength);
            loop.Add(flow);
            handedOver = true;
            if (registration is not null && !registration.Attach(flow))
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
            sniffed.Return();
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

    private void CountDialFailure(IPEndPoint source, IPEndPoint destination, string egress, DialResult dial)
    {
        Interlocked.Increment(ref _refused);
        if (dial.Outcome is not (DialOutcome.Rejected or DialOutcome.Dropped))
        {
            Interlocked.Increment(ref _dialFailures);
        }

        if (_logger is not null)
        {
            RelayLog.DialFailed(_logger, source, destination, egress, dial.Outcome, dial.Reason);
        }
    }

    /// <summary>True when the socket has a pending error (SO_ERROR), such as a reset that came before accept.</summary>
    private static bool HasFailed(Socket client) =>
        client.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int error && error != 0;

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
