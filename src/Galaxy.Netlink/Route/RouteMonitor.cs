using System.Threading.Channels;
using Galaxy.Netlink.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Netlink.Route;

/// <summary>
/// Watches link, address, route and rule changes (IPv4 and IPv6) on its own netlink socket and
/// publishes them as <see cref="RouteEvent"/>s on <see cref="Events"/>. A dedicated thread reads; when
/// the kernel drops events (ENOBUFS) an <see cref="EventsLost"/> is published and the caller should
/// resynchronise by dumping. Disposing stops the reader within one poll interval and completes the channel.
/// </summary>
public sealed partial class RouteMonitor : IDisposable
{
    /// <summary>The default kernel receive queue for events.</summary>
    public const int DefaultReceiveBufferBytes = 4 << 20;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly int[] Groups =
    [
        RtnlProtocol.GroupLink,
        RtnlProtocol.GroupIPv4Address,
        RtnlProtocol.GroupIPv4Route,
        RtnlProtocol.GroupIPv4Rule,
        RtnlProtocol.GroupIPv6Address,
        RtnlProtocol.GroupIPv6Route,
        RtnlProtocol.GroupIPv6Rule,
    ];

    private readonly NetlinkSocket _socket;
    private readonly ILogger _logger;
    private readonly Channel<RouteEvent> _events = Channel.CreateUnbounded<RouteEvent>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly Thread _reader;
    private readonly Lock _gate = new();
    private volatile bool _stopping;
    private bool _started;
    private bool _disposed;

    private RouteMonitor(NetlinkSocket socket, ILogger? logger)
    {
        _socket = socket;
        _logger = logger ?? NullLogger.Instance;
        _reader = new Thread(Read) { IsBackground = true, Name = "galaxy route monitor" };
    }

    /// <summary>The events, in the order the kernel sent them. Completed when the monitor is disposed or fails.</summary>
    public ChannelReader<RouteEvent> Events => _events.Reader;

    /// <summary>
    /// Opens a monitor on the calling thread's namespace. With <paramref name="start"/> false the reader
    /// thread waits for <see cref="Start"/> (events queue in the kernel meanwhile, up to
    /// <paramref name="receiveBufferBytes"/>).
    /// </summary>
    public static RouteMonitor Open(ILogger? logger = null, int receiveBufferBytes = DefaultReceiveBufferBytes, bool start = true) =>
        Create(OpenSocket(receiveBufferBytes), logger, start);

    /// <summary>Opens a monitor on the namespace at <paramref name="namespacePath"/>; see <see cref="Open"/>.</summary>
    public static RouteMonitor OpenIn(string namespacePath, ILogger? logger = null, int receiveBufferBytes = DefaultReceiveBufferBytes, bool start = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespacePath);
        return Create(NetworkNamespace.Run(namespacePath, () => OpenSocket(receiveBufferBytes)), logger, start);
    }

    /// <summary>Starts the reader thread (once; later calls do nothing).</summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                return;
            }

            _started = true;
            _reader.Start();
        }
    }

    public void Dispose()
    {
        bool started;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            started = _started;
        }

        _stopping = true;
        if (started)
        {
            _reader.Join();
        }

        _socket.Dispose();
        _events.Writer.TryComplete();
    }

    private static RouteMonitor Create(NetlinkSocket socket, ILogger? logger, bool start)
    {
        var monitor = new RouteMonitor(socket, logger);
        if (start)
        {
            monitor.Start();
        }

        return monitor;
    }

    private static NetlinkSocket OpenSocket(int receiveBufferBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(receiveBufferBytes);
        var socket = NetlinkSocket.Open(NetlinkProtocol.Route, receiveBufferBytes: receiveBufferBytes);
        try
        {
            foreach (var group in Groups)
            {
                socket.JoinGroup(group);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Read()
    {
        try
        {
            while (!_stopping)
            {
                var outcome = _socket.Receive(PollInterval, out var datagram, "reading route events");
                switch (outcome)
                {
                    case ReceiveOutcome.Data:
                        Publish(datagram);
                        break;
                    case ReceiveOutcome.Overrun:
                    case ReceiveOutcome.Truncated:
                        LogEventsLost(_logger, outcome.ToString());
                        _events.Writer.TryWrite(new EventsLost());
                        break;
                }
            }

            _events.Writer.TryComplete();
        }
        catch (Exception e)
        {
            LogReaderFailed(_logger, e);
            _events.Writer.TryComplete(e);
        }
    }

    private void Publish(ReadOnlySpan<byte> datagram)
    {
        foreach (var message in new NetlinkMessageEnumerator(datagram))
        {
            if (RouteEvents.TryParse(message, out var change))
            {
                _events.Writer.TryWrite(change);
            }
        }
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning, Message = "route monitor lost kernel events ({Reason}); consumers must resynchronise")]
    private static partial void LogEventsLost(ILogger logger, string reason);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "route monitor reader failed")]
    private static partial void LogReaderFailed(ILogger logger, Exception exception);
}
