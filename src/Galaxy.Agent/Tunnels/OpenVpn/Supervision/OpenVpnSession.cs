using System.Collections.Immutable;
using System.Net;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>
/// The decisions of one OpenVPN supervisor, without I/O: it reads management lines and process events,
/// keeps the <see cref="TunnelStatus"/>, and answers with <see cref="SupervisorAction"/>s. Not thread-safe:
/// the supervisor calls it from its one loop.
/// <para>
/// Pacing. OpenVPN runs with <c>--management-hold</c>, and OpenVPN re-enters the hold before every restart
/// of its own (ping-restart, a TLS error, <c>server-pushed-connection-reset</c>, a server-poll timeout): it
/// says <c>&gt;HOLD:Waiting for hold release:N</c> and waits, skipping its own pause. So this class owns the
/// whole schedule: the first hold is released when the owner calls <see cref="AllowHoldRelease"/> (the
/// firewall is in place), every later one after <see cref="OpenVpnBackoff"/> for the failures in a row,
/// and a process that exited is started again after the same backoff. Authentication and configuration
/// errors stop everything until <see cref="Reset"/>.
/// </para>
/// </summary>
internal sealed class OpenVpnSession
{
    private readonly OpenVpnBackoff _backoff;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;
    private readonly int _byteCountSeconds;
    private readonly Action<TunnelStatus, bool> _update;
    private readonly OpenVpnLogHints _hints = new();
    private OpenVpnCredentials? _credentials;
    private bool _releaseAllowed;
    private bool _holding;
    private bool _stopping;
    private bool _delayServed;
    private int _failures;
    private int _attempt;
    private int _token;
    private PushReply? _push;
    private string? _exitReason;
    private string? _fatal;

    /// <param name="update">Called with every new status; the flag says whether it is a change to publish (false: byte counts only).</param>
    public OpenVpnSession(string deviceName, OpenVpnBackoff backoff, TimeProvider time, Func<double> random, OpenVpnCredentials? credentials, int byteCountSeconds, Action<TunnelStatus, bool> update)
    {
        ArgumentException.ThrowIfNullOrEmpty(deviceName);
        _backoff = backoff ?? throw new ArgumentNullException(nameof(backoff));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _random = random ?? throw new ArgumentNullException(nameof(random));
        _update = update ?? throw new ArgumentNullException(nameof(update));
        _credentials = credentials;
        _byteCountSeconds = byteCountSeconds;
        Status = new TunnelStatus(TunnelState.Stopped, time.GetUtcNow()) { DeviceName = deviceName };
    }

    public TunnelStatus Status { get; private set; }

    /// <summary>True once an authentication or configuration error stopped the tunnel: nothing restarts it but <see cref="Reset"/>.</summary>
    public bool IsTerminal => Status.State is TunnelState.AuthFailed or TunnelState.ConfigError;

    /// <summary>Consecutive failed attempts (reconnects and exits) since the last connection.</summary>
    public int Failures => _failures;

    /// <summary>A process is about to be started.</summary>
    public void ProcessStarting()
    {
        _stopping = false;
        _holding = false;
        _exitReason = null;
        _fatal = null;
        _push = null;
        var state = Status.State is TunnelState.Stopped or TunnelState.Connecting || (_failures == 0 && _attempt == 0) ? TunnelState.Connecting : TunnelState.Reconnecting;
        Set(Status with { Detail = "START", BytesIn = 0, BytesOut = 0 }, state, state == TunnelState.Connecting ? null : Status.Reason);
    }

    /// <summary>OpenVPN connected to the supervisor's management socket.</summary>
    public void ManagementConnected(List<SupervisorAction> actions)
    {
        actions.Add(new SendCommand(ManagementCommands.StateOn));
        actions.Add(new SendCommand(ManagementCommands.LogOn));
        if (_byteCountSeconds > 0)
        {
            actions.Add(new SendCommand(ManagementCommands.ByteCount(_byteCountSeconds)));
        }
    }

    /// <summary>The owner has its firewall in place: holds may be released from now on.</summary>
    public void AllowHoldRelease(List<SupervisorAction> actions)
    {
        if (_releaseAllowed)
        {
            return;
        }

        _releaseAllowed = true;
        if (_holding && !IsTerminal && !_stopping)
        {
            ScheduleRelease(actions);
        }
    }

    /// <summary>New credentials for the next query (after an AuthFailed, before <see cref="Reset"/>).</summary>
    public void SetCredentials(OpenVpnCredentials? credentials) => _credentials = credentials;

    /// <summary>The owner restarts the tunnel: failures are forgotten, AuthFailed/ConfigError cleared.</summary>
    public void Reset()
    {
        _failures = 0;
        _attempt = 0;
        _delayServed = false;
        _token++;
        Set(Status with { Reason = null, Detail = null, Attempt = 0 }, TunnelState.Stopped, null);
    }

    /// <summary>The owner stops the tunnel; without a process (waiting to restart, or failed) it is stopped at once.</summary>
    public void Stopping(bool processRunning)
    {
        _stopping = true;
        _holding = false;
        _token++;
        if (!processRunning && Status.State != TunnelState.Stopped)
        {
            Set(Status with { Detail = null }, TunnelState.Stopped, "stopped");
        }
    }

    public void HoldTimerFired(int token, List<SupervisorAction> actions)
    {
        if (token != _token || !_holding || IsTerminal || _stopping)
        {
            return;
        }

        _holding = false;
        _attempt++;
        _hints.NewAttempt();
        actions.Add(new SendCommand(ManagementCommands.HoldRelease));
        Set(Status with { Detail = "RELEASED", Attempt = _attempt }, Status.State, Status.Reason);
    }

    /// <summary>True when a scheduled process start is still wanted.</summary>
    public bool ProcessStartWanted(int token) => token == _token && !IsTerminal && !_stopping;

    public void OnLine(string line, List<SupervisorAction> actions)
    {
        switch (ManagementParser.Parse(line))
        {
            case HoldMessage:
                _holding = true;
                Set(Status with { Detail = "HOLD" }, Status.State, Status.Reason);
                if (_releaseAllowed && !IsTerminal && !_stopping)
                {
                    ScheduleRelease(actions);
                }

                break;

            case StateMessage state:
                OnState(state, actions);
                break;

            case ByteCountMessage bytes:
                var now = _time.GetUtcNow();
                var moved = Status with
                {
                    BytesIn = bytes.BytesIn,
                    BytesOut = bytes.BytesOut,
                    BytesInMovedAt = bytes.BytesIn > Status.BytesIn ? now : Status.BytesInMovedAt,
                    BytesOutMovedAt = bytes.BytesOut > Status.BytesOut ? now : Status.BytesOutMovedAt,
                };
                Status = moved;
                _update(moved, false);
                break;

            case PasswordNeededMessage needed:
                AnswerPassword(needed, actions);
                break;

            case PasswordFailedMessage failed:
                Fail(TunnelState.AuthFailed, failed.Type == "Auth"
                    ? "the server refused the user name or password (AUTH_FAILED" + (_hints.AuthFailedReason is { Length: > 0 } why ? $": {why})" : ")")
                    : $"'{failed.Type}' was refused (wrong passphrase?)", actions);
                break;

            case FatalMessage fatal:
                _fatal = fatal.Text;
                if (OpenVpnLogHints.IsConfigurationError(fatal.Text))
                {
                    Fail(TunnelState.ConfigError, fatal.Text, actions);
                }

                break;

            case LogMessage log:
                _hints.Observe(log.Text);
                if (PushReply.TryParseLog(log.Text) is { } push)
                {
                    _push = _push is { HasContinuation: true } previous ? previous.Merge(push) : push;
                }

                break;
        }
    }

    /// <summary>The OpenVPN process ended; <paramref name="managementSeen"/>: it had connected to the management socket.</summary>
    public void ProcessExited(int exitCode, bool managementSeen, string? lastOutput, List<SupervisorAction> actions)
    {
        _holding = false;
        if (_stopping)
        {
            Set(Status with { Detail = null }, TunnelState.Stopped, $"stopped (openvpn exit code {exitCode})");
            return;
        }

        if (IsTerminal)
        {
            return;
        }

        if (!managementSeen && exitCode != 0)
        {
            // OpenVPN checks its options before it opens the management interface: an exit this early is
            // the configuration (or the command line), and retrying cannot fix it.
            Fail(TunnelState.ConfigError, $"openvpn exited with code {exitCode} before its management interface came up" + (lastOutput is { Length: > 0 } output ? $": {output}" : string.Empty), actions);
            return;
        }

        _failures++;
        var delay = _backoff.Delay(_failures, _random());
        _delayServed = true;
        var why = _fatal ?? _exitReason;
        Set(Status with { Detail = null }, TunnelState.Exited, $"openvpn exited with code {exitCode}" + (why is null ? string.Empty : $" ({why})") + $"; restarting in {delay.TotalSeconds:0.##} s");
        actions.Add(new ScheduleProcessStart(delay, ++_token));
    }

    private void OnState(StateMessage state, List<SupervisorAction> actions)
    {
        switch (state.Name)
        {
            case "CONNECTED":
                _failures = 0;
                _attempt = 0;
                Set(Status with
                {
                    Detail = state.Name,
                    Attempt = 0,
                    LocalIPv4 = state.TunnelIPv4 ?? _push?.LocalIPv4 ?? Status.LocalIPv4,
                    LocalIPv6 = state.TunnelIPv6 ?? _push?.LocalIPv6 ?? Status.LocalIPv6,
                    DnsServers = _push?.DnsServers ?? Status.DnsServers,
                }, TunnelState.Connected, state.Description == "SUCCESS" ? null : state.Description);
                break;

            case "RECONNECTING":
                _failures++;
                Set(Status with { Detail = state.Name }, TunnelState.Reconnecting, _hints.ReconnectReason(state.Description));
                break;

            case "EXITING":
                _exitReason = state.Description;
                if (state.Description == "auth-failure" && !IsTerminal)
                {
                    Fail(TunnelState.AuthFailed, "the server refused the user name or password (AUTH_FAILED" + (_hints.AuthFailedReason is { Length: > 0 } why ? $": {why})" : ")"), actions);
                }
                else
                {
                    Set(Status with { Detail = state.Name }, Status.State, Status.Reason);
                }

                break;

            default:
                // CONNECTING, RESOLVE, TCP_CONNECT, WAIT, AUTH, AUTH_PENDING, GET_CONFIG, ASSIGN_IP, ADD_ROUTES.
                var addresses = state.Name == "ASSIGN_IP" ? Status with
                {
                    LocalIPv4 = state.TunnelIPv4 ?? _push?.LocalIPv4,
                    LocalIPv6 = state.TunnelIPv6 ?? _push?.LocalIPv6,
                    DnsServers = _push?.DnsServers ?? [],
                } : Status;
                Set(addresses with { Detail = state.Name }, Status.State is TunnelState.Connected ? TunnelState.Reconnecting : Status.State, Status.Reason);
                break;
        }
    }

    private void AnswerPassword(PasswordNeededMessage needed, List<SupervisorAction> actions)
    {
        if (needed.NeedsUserName)
        {
            if (_credentials is { UserName: { } user, Password: { } password })
            {
                actions.Add(new SendCommand(ManagementCommands.UserName(needed.Type, user), Secret: true));
                actions.Add(new SendCommand(ManagementCommands.Password(needed.Type, password), Secret: true));
                return;
            }

            Fail(TunnelState.AuthFailed, "the profile needs a user name and password (auth-user-pass) and none was given", actions);
            return;
        }

        var secret = needed.Type == "Private Key" ? _credentials?.KeyPassphrase : _credentials?.Password;
        if (secret is not null)
        {
            actions.Add(new SendCommand(ManagementCommands.Password(needed.Type, secret), Secret: true));
            return;
        }

        Fail(TunnelState.AuthFailed, $"OpenVPN asks for '{needed.Type}' and no such secret was given", actions);
    }

    private void ScheduleRelease(List<SupervisorAction> actions)
    {
        // A process started again after an exit already waited its backoff before it was started.
        var delay = _delayServed ? TimeSpan.Zero : _backoff.Delay(_failures, _random());
        _delayServed = false;
        actions.Add(new ScheduleHoldRelease(delay, ++_token));
    }

    private void Fail(TunnelState state, string reason, List<SupervisorAction> actions)
    {
        _token++;
        Set(Status with { Detail = null }, state, reason);
        actions.Add(new TerminateProcess());
    }

    private void Set(TunnelStatus next, TunnelState state, string? reason)
    {
        var now = _time.GetUtcNow();
        var status = next with { Reason = reason };
        if (state != Status.State)
        {
            status = status with { State = state, Since = now };
        }

        var changed = status.State != Status.State || status.Reason != Status.Reason || status.Detail != Status.Detail || status.Attempt != Status.Attempt
            || !Equals(status.LocalIPv4, Status.LocalIPv4) || !Equals(status.LocalIPv6, Status.LocalIPv6)
            || !status.DnsServers.SequenceEqual(Status.DnsServers);
        Status = status;
        _update(status, changed);
    }

    /// <summary>For logs: the addresses in one line.</summary>
    internal static string Describe(ImmutableArray<IPAddress> addresses) => addresses.IsDefaultOrEmpty ? "none" : string.Join(' ', addresses);
}
