using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>
/// Runs and watches the OpenVPN process of one egress: writes its sanitized configuration (0600), starts
/// it through CliWrap under <c>setpriv --pdeathsig KILL</c> from the launcher thread (so it dies with the
/// agent, also after <c>kill -9</c>), listens on the management socket OpenVPN connects to, turns what it
/// says into <see cref="TunnelStatus"/>, answers its credential queries from memory, releases its hold
/// when the owner says the firewall is in place (<see cref="ReleaseHold"/>), paces reconnects and
/// restarts with <see cref="OpenVpnBackoff"/>, and stops it with <c>signal SIGTERM</c>, then a kill.
/// <para>
/// Thread-safety: every public member may be called from any thread. All decisions are made by one loop
/// that reads an inbox (commands, management lines, process exits, timers); <see cref="Current"/> is a
/// snapshot, <see cref="Changes"/> carries each published change (the 256 newest when nobody reads).
/// </para>
/// <para>
/// Health: <see cref="TunnelStatus.BytesInMovedAt"/> says when bytes last arrived (the server's keepalive
/// pings count). An in-tunnel probe (a request through the device) is the agent's, with its hysteresis.
/// </para>
/// </summary>
internal sealed partial class OpenVpnSupervisor : IAsyncDisposable
{
    private readonly OpenVpnInvocation _invocation;
    private readonly OpenVpnEgressSettings _settings;
    private readonly OpenVpnSupervisorOptions _options;
    private readonly ILogger _logger;
    private readonly OpenVpnSession _session;
    private readonly Channel<TunnelStatus> _changes = Channel.CreateBounded<TunnelStatus>(
        new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });

    private readonly Channel<Event> _inbox = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private Task? _loop;
    private RunningProcess? _process;
    private TunnelStatus _current;
    private int _generation;
    private int _processId;
    private bool _disposed;

    public OpenVpnSupervisor(OvpnProfile profile, OpenVpnEgressSettings settings, OpenVpnCredentials? credentials = null, OpenVpnSupervisorOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        _invocation = OpenVpnCommandLine.Build(profile, settings);
        _options = options ?? new OpenVpnSupervisorOptions();
        if (_options.ByteCountSeconds < 0 || _options.StopGrace < TimeSpan.Zero || _options.ManagementTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("byte count interval, stop grace and management timeout must not be negative", nameof(options));
        }

        _logger = logger ?? NullLogger.Instance;
        _session = new OpenVpnSession(settings.DeviceName, _options.Backoff, _options.TimeProvider, _options.Random, credentials, _options.ByteCountSeconds, OnStatus);
        _current = _session.Status;
    }

    /// <summary>The latest status, byte counts included.</summary>
    public TunnelStatus Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Each published status change, in order (not the byte-count ticks).</summary>
    public ChannelReader<TunnelStatus> Changes => _changes.Reader;

    /// <summary>The running OpenVPN's pid, or null.</summary>
    public int? ProcessId => Volatile.Read(ref _processId) is var pid and > 0 ? pid : null;

    /// <summary>The argv and configuration this supervisor runs (argv without the launcher and prefix).</summary>
    public OpenVpnInvocation Invocation => _invocation;

    /// <summary>
    /// Starts OpenVPN and returns once it is connected to the management socket, held (it sends nothing
    /// until <see cref="ReleaseHold"/>), or has failed (see <see cref="Current"/>). Throws only when the
    /// runtime directory cannot be written.
    /// </summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => RequestAsync(new StartRequest(), cancellationToken);

    /// <summary>
    /// The owner's firewall is in place: OpenVPN may send. Releases the present hold at once, and from now on
    /// every hold after a restart on the backoff schedule.
    /// </summary>
    public void ReleaseHold() => Post(new ReleaseRequest());

    /// <summary>
    /// Stops OpenVPN if it runs, forgets failures (also AuthFailed and ConfigError), and starts it again,
    /// with <paramref name="credentials"/> when given. The hold is released as before once
    /// <see cref="ReleaseHold"/> was called.
    /// </summary>
    public Task RestartAsync(OpenVpnCredentials? credentials = null, CancellationToken cancellationToken = default) =>
        RequestAsync(new RestartRequest(credentials), cancellationToken);

    /// <summary>Stops OpenVPN: <c>signal SIGTERM</c> over management, a kill after the grace period.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => RequestAsync(new StopRequest(), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        if (_loop is not null)
        {
            var stopped = new StopRequest();
            _inbox.Writer.TryWrite(stopped);
            _inbox.Writer.TryComplete();
            await _loop.ConfigureAwait(false);
        }

        _changes.Writer.TryComplete();
    }

    private Task RequestAsync(Request request, CancellationToken cancellationToken)
    {
        Post(request);
        return request.Done.Task.WaitAsync(cancellationToken);
    }

    private void Post(Event e)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _loop ??= Task.Run(RunAsync);
        }

        _inbox.Writer.TryWrite(e);
    }

    private void OnStatus(TunnelStatus status, bool publish)
    {
        lock (_gate)
        {
            _current = status;
        }

        if (publish)
        {
            _changes.Writer.TryWrite(status);
            OpenVpnSupervisorLog.StateChanged(_logger, _settings.DeviceName, status.State, status.Detail, status.Reason);
        }
    }

    private abstract record Event;

    private abstract record Request : Event
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record StartRequest : Request;

    private sealed record RestartRequest(OpenVpnCredentials? Credentials) : Request;

    private sealed record StopRequest : Request;

    private sealed record ReleaseRequest : Event;

    private sealed record ManagementLine(int Generation, string Line) : Event;

    private sealed record ManagementClosed(int Generation) : Event;

    private sealed record ProcessExited(int Generation, int ExitCode) : Event;

    private sealed record HoldTimer(int Token) : Event;

    private sealed record StartTimer(int Token) : Event;

    private sealed record KillTimer(int Generation) : Event;
}
