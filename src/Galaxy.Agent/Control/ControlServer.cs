using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Agent.Control;

/// <summary>
/// The control API: HTTP/1.1 over a Unix socket (never an inet socket), one request per connection.
/// <para>Authorisation happens at accept, before a byte is read: SO_PEERCRED gives the peer's uid/gid/pid, and
/// anyone but root or the control group gets 403 and is closed — so the socket's file mode (0660) is a second
/// fence, not the only one.</para>
/// <para>Bounds: at most <see cref="ControlServerOptions.MaxClients"/> authorised connections at once; each must
/// deliver its whole request within <see cref="ControlServerOptions.RequestTimeout"/> (408) and within the
/// parser's size limits (413). When the cap is reached, a new connection evicts the OLDEST connection that is
/// still waiting for its request (it gets 503 and is closed): a real request arrives with its connection, so
/// idle connections can never lock an operator out, and an idle flood only churns among itself. Only when
/// every slot is busy serving (e.g. event streams, which may use at most half the slots) does a newcomer get
/// 503.</para>
/// </summary>
internal sealed partial class ControlServer : IAsyncDisposable
{
    private readonly IAgentControl agent;
    private readonly ControlServerOptions options;
    private readonly ControlAccess access;
    private readonly ILogger logger;
    private readonly Socket listener;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly LinkedList<ControlConnection> connections = new();
    private readonly Task acceptLoop;
    private int eventStreams;

    private ControlServer(IAgentControl agent, ControlServerOptions options, ControlAccess access, Socket listener, ILogger logger)
    {
        this.agent = agent;
        this.options = options;
        this.access = access;
        this.listener = listener;
        this.logger = logger;
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The path the server listens on.</summary>
    public string SocketPath => options.SocketPath;

    /// <summary>The family of the listening socket: always Unix (the tests assert it).</summary>
    public AddressFamily ListenerFamily => listener.AddressFamily;

    /// <summary>Connections being read or served now.</summary>
    public int ActiveConnections
    {
        get
        {
            lock (gate)
            {
                return connections.Count;
            }
        }
    }

    /// <summary>
    /// Prepares the directory (0750, control group), refuses to replace a live socket ("another agent is
    /// running"), removes a stale one, binds, sets the socket to 0660 and the control group, and starts accepting.
    /// </summary>
    public static async Task<ControlServer> StartAsync(IAgentControl agent, ControlServerOptions options, ILogger? logger = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(options);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the control socket needs Linux (SO_PEERCRED, Unix file modes)");
        }

        if (options.MaxClients < 2)
        {
            throw new ArgumentException($"MaxClients must be at least 2, not {options.MaxClients}", nameof(options));
        }

        logger ??= NullLogger.Instance;
        var access = ControlAccess.ForGroup(options.Group, options.GroupFile);
        var path = options.SocketPath;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))
            ?? throw new ArgumentException($"control socket path {path} has no directory", nameof(options));
        PrepareDirectory(directory, access.GroupId);
        await RemoveStaleSocketAsync(path, logger, ct).ConfigureAwait(false);

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            if (access.GroupId is { } gid)
            {
                ControlInterop.SetGroup(path, gid);
            }

            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        ControlLog.Listening(logger, path, options.Group);
        return new ControlServer(agent, options, access, listener, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        listener.Dispose();
        try
        {
            await acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Task[] running;
        lock (gate)
        {
            running = connections.Select(c => c.Handler).ToArray();
        }

        try
        {
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A handler stuck in a write past its own timeout; the sockets are closed below with the process.
        }
        try
        {
            File.Delete(options.SocketPath);
        }
        catch (IOException)
        {
        }

        stopping.Dispose();
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void PrepareDirectory(string directory, uint? gid)
    {
        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, mode);
        }
        else if ((File.GetUnixFileMode(directory) & (UnixFileMode.StickyBit | UnixFileMode.OtherWrite)) != 0)
        {
            throw new InvalidOperationException(
                $"control socket directory {directory} is shared (sticky or world-writable); give the socket a directory of its own, e.g. {Path.GetDirectoryName(ControlServerOptions.DefaultSocketPath)}");
        }

        File.SetUnixFileMode(directory, mode);
        if (gid is { } group)
        {
            ControlInterop.SetGroup(directory, group);
        }
    }

    private static async Task RemoveStaleSocketAsync(string path, ILogger logger, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            ControlLog.RemovedStale(logger, path);
            return;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // A listener that does not even accept within a second is still a listener.
        }

        throw new InvalidOperationException($"another agent is running: {path} answers; stop it first (or remove the socket if you are sure)");
    }
}
