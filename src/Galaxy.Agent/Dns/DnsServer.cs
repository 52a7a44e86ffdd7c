using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Agent.Dns;

/// <summary>
/// The LAN-side DNS server: a transparent UDP listener and a transparent TCP listener to which the firewall
/// TPROXYs every LAN packet to port 53, whatever resolver it was addressed to. Each query goes to the
/// <see cref="DnsForwarder"/>; a UDP reply leaves from the address and port the client sent the query to
/// (its original destination, IP_RECVORIGDSTADDR or IPV6_RECVORIGDSTADDR, through <see cref="DnsReplySockets"/>), a TCP reply on the
/// accepted connection (whose local address already is the original destination). A query addressed to the
/// listener itself (the router's own resolv.conf pointing at it) is answered from the listener.
/// The agent runs one on 127.0.0.1 and one on [::1]. Bind the listeners to a specific address: with a wildcard listener on port 53
/// the two cases cannot be told apart and TPROXYed replies would leave from the router's address.
/// </summary>
internal sealed partial class DnsServer : IAsyncDisposable
{
    private readonly DnsForwarder _forwarder;
    private readonly Socket? _udp;
    private readonly Socket? _tcp;
    private readonly DnsServerOptions _options;
    private readonly DnsReplySockets _replies;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread? _udpThread;
    private readonly IPEndPoint? _udpLocal;
    private Task _acceptLoop = Task.CompletedTask;
    private int _udpInFlight;
    private int _tcpConnections;
    private long _dropped;
    private int _started;
    private int _disposed;

    public DnsServer(
        DnsForwarder forwarder, Socket? udp, Socket? tcp, DnsServerOptions? options = null, SocketFactory? sockets = null, ILogger? logger = null)
    {
        if (udp is null && tcp is null)
        {
            throw new ArgumentException("a DNS server needs a UDP or a TCP listener", nameof(udp));
        }

        _options = options ?? new DnsServerOptions();
        _options.Validate();
        _forwarder = forwarder;
        _udp = udp;
        _tcp = tcp;
        _replies = new DnsReplySockets(_options.MaxReplySockets, sockets ?? SocketFactories.Default);
        _logger = logger ?? NullLogger.Instance;
        if (udp is not null)
        {
            _udpLocal = (IPEndPoint?)udp.LocalEndPoint ?? throw new ArgumentException("the UDP listener is not bound", nameof(udp));
            _udpThread = new Thread(ReceiveLoop) { IsBackground = true, Name = "galaxy-dns-udp" };
        }
    }

    public DnsForwarder Forwarder => _forwarder;

    /// <summary>UDP queries dropped because too many were in flight, and TCP connections refused past the cap.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// A transparent UDP listener that reports each datagram's original destination; bound with
    /// SO_REUSEADDR so a restarted agent can take the port back at once.
    /// </summary>
    public static Socket ListenUdp(IPEndPoint endPoint, SocketFactory? sockets = null) => Relay.TransparentListener.Udp(endPoint, sockets);

    /// <summary>A transparent TCP listener: accepted connections carry the original destination as their local address.</summary>
    public static Socket ListenTcp(IPEndPoint endPoint, SocketFactory? sockets = null, int backlog = 128) =>
        Relay.TransparentListener.Tcp(endPoint, backlog, sockets);

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("the DNS server is already started");
        }

        if (_udp is not null)
        {
            _udpThread!.Start();
        }

        if (_tcp is not null)
        {
            _acceptLoop = AcceptLoopAsync(_stop.Token);
        }

        DnsLog.Listening(_logger, _udp?.LocalEndPoint, _tcp?.LocalEndPoint);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _tcp?.Dispose();
        if (_udpThread is { IsAlive: true })
        {
            _udpThread.Join();
        }

        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        // Queries in flight see the cancellation at their next await; give them a moment to end before their sockets go.
        var deadline = Environment.TickCount64 + 2000;
        while ((Volatile.Read(ref _udpInFlight) > 0 || Volatile.Read(ref _tcpConnections) > 0) && Environment.TickCount64 < deadline)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }

        _udp?.Dispose();
        _replies.Dispose();
        _stop.Dispose();
    }
}
