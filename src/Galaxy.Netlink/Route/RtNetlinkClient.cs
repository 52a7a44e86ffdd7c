using Galaxy.Netlink.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Netlink.Route;

/// <summary>
/// Links, addresses, routes and policy rules over one NETLINK_ROUTE request socket. Every change is
/// logged at Debug as its <c>ip</c> command, and a refusal throws <see cref="NetlinkException"/> whose
/// operation is that command. Thread-safe: requests are serialised.
/// </summary>
public sealed partial class RtNetlinkClient : IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly NetlinkWriter _writer = new();
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private bool _disposed;

    private RtNetlinkClient(NetlinkSocket socket, ILogger? logger)
    {
        _socket = socket;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Opens a client on the calling thread's network namespace.</summary>
    public static RtNetlinkClient Open(ILogger? logger = null) => new(NetlinkSocket.Open(NetlinkProtocol.Route), logger);

    /// <summary>Opens a client on the namespace at <paramref name="namespacePath"/> (<c>/run/netns/NAME</c>).</summary>
    public static RtNetlinkClient OpenIn(string namespacePath, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(namespacePath);
        return new(NetworkNamespace.Run(namespacePath, () => NetlinkSocket.Open(NetlinkProtocol.Route)), logger);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _socket.Dispose();
            _writer.Dispose();
        }
    }

    /// <summary>
    /// Sends one change and waits for its ACK. The errno <paramref name="tolerated"/> counts as success
    /// (returned); any other error is logged and thrown with <paramref name="command"/> as the operation.
    /// </summary>
    private int Change(string command, Action<NetlinkWriter, uint> encode, int tolerated = -1)
    {
        NetlinkError? error;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer.Reset();
            var sequence = _socket.NextSequence();
            encode(_writer, sequence);
            error = _socket.Transact(_writer.Written, sequence, sequence, command);
        }

        if (error is { } e)
        {
            var reason = Core.Interop.Errno.Name(e.Errno);
            if (e.Errno == tolerated)
            {
                var text = $"{command} (already so: {reason})";
                NetlinkLog.KernelChange(_logger, text);
                return e.Errno;
            }

            NetlinkLog.KernelChangeRefused(_logger, command, reason);
            throw new NetlinkException(command, e.Errno, e.Message, e.Offset);
        }

        NetlinkLog.KernelChange(_logger, command);
        return 0;
    }

    private List<T> Dump<T>(string operation, Action<NetlinkWriter, uint> encode, MessageParser<T> parse)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _socket.Dump(_writer, encode, parse, operation);
        }
    }
}
