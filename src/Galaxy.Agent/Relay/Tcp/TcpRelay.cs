using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay.Splice;

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
/// at once. Past <see cref="TcpRelayOptions.MaxConnections"/> it stops accepting until a flow ends.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly TcpRoute _route;
    private readonly SpliceLoop[] _loops;
    private readonly TcpRelayOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly Action<FlowSummary>? _onFlowClosed;
    private readonly FlowRegistry? _registry;
    private readonly CancellationTokenSource _stop = new();
    private Task? _acceptLoop;
    private int _nextLoop;
    private long _refused;
    private long _dialFailures;

    public TcpRelay(Socket listener, TcpRoute route, SpliceLoop[] loops, TcpRelayOptions options, Action<FlowSummary>? onFlowClosed = null,
        FlowRegistry? registry = null)
    {
        _registry = registry;
        _listener = listener;
        _route = route;
        _loops = loops;
        _options = options;
        _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
        _onFlowClosed = onFlowClosed;
    }

    /// <summary>The listener's address (what the TPROXY rule points at).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Flows refused or whose dial failed.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Of <see cref="Refused"/>, the flows whose dial failed (not refused by route or policy).</summary>
    public long DialFailures => Interlocked.Read(ref _dialFailures);

    /// <summary>A transparent listening socket on <paramref name="endPoint"/> (made with <paramref name="sockets"/>).</summary>
    public static Socket Listen(IPEndPoint endPoint, int backlog, SocketFactory? sockets = null) => TransparentListener.Tcp(endPoint, backlog, sockets);

    public void Start() => _acceptLoop = Task.Run(() => AcceptLoopAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
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
                client = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(50);
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
        try
        {
            var source = (IPEndPoint)client.RemoteEndPoint!;
            var destination = (IPEndPoint)client.LocalEndPoint!;
            if (HasFailed(client))
            {
                // Reset while it waited in the listen queue (a client that gave up during an overload): it is
                // not dialed, so a backlog of dead connections drains at accept speed.
                return;
            }

            var route = _route(source, destination, null);
            if (route.Dialer is not { } dialer)
            {
                Interlocked.Increment(ref _refused);
                return;
            }

            registration = _registry?.Begin(FlowProtocol.Tcp, source, destination, dialer.Name, route.Rule);
            var dial = await dialer.DialTcpAsync(destination, cancellationToken).ConfigureAwait(false);
            upstream = dial.Socket;
            if (upstream is null)
            {
                Interlocked.Increment(ref _refused);
                if (dial.Outcome is not (DialOutcome.Rejected or DialOutcome.Dropped))
                {
                    Interlocked.Increment(ref _dialFailures);
                }

                // Dropped by policy: the client hears nothing more (no FIN, no reset).
                silent = dial.Outcome == DialOutcome.Dropped && SocketOptions.TrySetRepair(client);

                return;
            }

            if (registration is { CloseRequested: true })
            {
                return; // its egress was closed while it dialed: never started
            }

            client.NoDelay = true;
            if (!dial.EarlyData.IsEmpty)
            {
                // Bytes the upstream sent right after a proxy handshake come first (the client socket is
                // still blocking here, and the amount is at most one handshake buffer).
                client.Send(dial.EarlyData.Span);
            }

            var loop = _loops[(int)((uint)Interlocked.Increment(ref _nextLoop) % (uint)_loops.Length)];
            var flow = new SpliceFlow(client, upstream, source, destination, summary =>
            {
                _slots.Release();
                if (registration is not null)
                {
                    _registry!.End(registration);
                }

                _onFlowClosed?.Invoke(summary);
            });
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
