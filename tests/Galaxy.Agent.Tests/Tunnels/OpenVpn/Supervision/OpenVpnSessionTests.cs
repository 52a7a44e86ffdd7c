using System.Net;
using Galaxy.Agent.Tunnels;
using Galaxy.Agent.Tunnels.OpenVpn.Supervision;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn.Supervision;

/// <summary>The supervisor's decisions, fed with real management lines; no process, no socket.</summary>
public sealed class OpenVpnSessionTests
{
    private readonly ManualTime _time = new();
    private readonly List<(TunnelStatus Status, bool Published)> _updates = [];
    private readonly List<SupervisorAction> _actions = [];

    [Fact]
    public void The_first_hold_waits_for_the_owner_and_is_then_released_at_once()
    {
        var session = Session();
        session.ProcessStarting();
        session.ManagementConnected(_actions);
        Assert.Equal([ManagementCommands.StateOn, ManagementCommands.LogOn, ManagementCommands.ByteCount(1)], Sent());
        _actions.Clear();

        Feed(session, ">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info", ">HOLD:Waiting for hold release:0");
        Assert.Empty(_actions);
        Assert.Equal(TunnelState.Connecting, session.Status.State);

        session.AllowHoldRelease(_actions);
        var release = Assert.IsType<ScheduleHoldRelease>(Assert.Single(_actions));
        Assert.Equal(TimeSpan.Zero, release.Delay);
        _actions.Clear();
        session.HoldTimerFired(release.Token, _actions);
        Assert.Equal([ManagementCommands.HoldRelease], Sent());
        Assert.Equal(1, session.Status.Attempt);
    }

    [Fact]
    public void A_connection_publishes_the_pushed_DNS_servers_and_addresses_with_the_connected_state()
    {
        var session = Connected();
        Assert.Equal(TunnelState.Connected, session.Status.State);
        Assert.Equal([IPAddress.Parse("10.8.0.1"), IPAddress.Parse("fd00:8::1")], session.Status.DnsServers);
        Assert.Equal(IPAddress.Parse("10.8.0.2"), session.Status.LocalIPv4);
        Assert.Equal(IPAddress.Parse("fd00:8::1000"), session.Status.LocalIPv6);
        Assert.Equal(0, session.Status.Attempt);
        var connected = _updates.Last(u => u.Published).Status;
        Assert.Equal(TunnelState.Connected, connected.State);
        Assert.Equal(_time.GetUtcNow(), connected.Since);
    }

    [Fact]
    public void Byte_counts_update_the_status_without_publishing_and_record_when_they_moved()
    {
        var session = Connected();
        var published = _updates.Count(u => u.Published);
        _time.Advance(TimeSpan.FromSeconds(1));
        Feed(session, ">BYTECOUNT:2371,2348");
        var moved = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromSeconds(1));
        Feed(session, ">BYTECOUNT:2371,2400");
        Assert.Equal(published, _updates.Count(u => u.Published));
        Assert.Equal(2371, session.Status.BytesIn);
        Assert.Equal(2400, session.Status.BytesOut);
        Assert.Equal(moved, session.Status.BytesInMovedAt);
        Assert.Equal(_time.GetUtcNow(), session.Status.BytesOutMovedAt);
    }

    [Fact]
    public void Reconnects_wait_on_the_backoff_schedule_and_a_connection_resets_it()
    {
        var session = Connected();
        var delays = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            Feed(session, ">STATE:1795654780,RECONNECTING,server_poll,,,,,", ">HOLD:Waiting for hold release:0");
            Assert.Equal(TunnelState.Reconnecting, session.Status.State);
            Assert.Equal("server_poll", session.Status.Reason);
            var release = Assert.IsType<ScheduleHoldRelease>(Assert.Single(_actions));
            delays.Add(release.Delay.TotalSeconds);
            _actions.Clear();
            session.HoldTimerFired(release.Token, _actions);
            Assert.Equal([ManagementCommands.HoldRelease], Sent());
            _actions.Clear();
            Feed(session, ">STATE:1795654780,WAIT,,,,,,");
        }

        Assert.Equal([1, 2, 4, 8, 16], delays);
        Feed(session, ">STATE:1795654783,CONNECTED,SUCCESS,10.8.0.2,198.51.100.1,1194,,,fd00:8::1000");
        Feed(session, ">STATE:1795654790,RECONNECTING,ping-restart,,,,,", ">HOLD:Waiting for hold release:0");
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<ScheduleHoldRelease>(Assert.Single(_actions)).Delay);
    }

    [Fact]
    public void A_TLS_failure_after_the_server_was_verified_is_reported_as_a_refused_client_certificate()
    {
        var session = Released();
        Feed(session,
            ">STATE:1795654806,WAIT,,,,,,",
            ">STATE:1795654806,AUTH,,,,,,",
            ">LOG:1795654806,,VERIFY OK: depth=1, CN=test-ca",
            ">LOG:1795654806,,VERIFY OK: depth=0, CN=server",
            ">LOG:1795654809,N,TLS Error: TLS key negotiation failed to occur within 3 seconds (check your network connectivity)",
            ">LOG:1795654809,N,TLS Error: TLS handshake failed",
            ">STATE:1795654809,RECONNECTING,tls-error,,,,,");
        Assert.Equal(TunnelState.Reconnecting, session.Status.State);
        Assert.Contains("refused this client's certificate", session.Status.Reason, StringComparison.Ordinal);
        Assert.Contains("key negotiation failed", session.Status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_TLS_alert_from_the_server_is_named()
    {
        var session = Released();
        Feed(session,
            ">LOG:1795654806,N,OpenSSL: error:0A000418:SSL routines::tlsv1 alert unknown ca:SSL alert number 48",
            ">STATE:1795654809,RECONNECTING,tls-error,,,,,");
        Assert.Contains("tlsv1 alert unknown ca:SSL alert number 48", session.Status.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Passwords_are_answered_from_memory_and_marked_secret()
    {
        var session = Session(new OpenVpnCredentials("alice", "p\"w"));
        Feed(session, ">PASSWORD:Need 'Auth' username/password");
        Assert.Equal(
            [new SendCommand("username \"Auth\" \"alice\"\n", true), new SendCommand("password \"Auth\" \"p\\\"w\"\n", true)],
            _actions);
    }

    [Fact]
    public void A_missing_password_is_an_auth_failure_that_stops_openvpn()
    {
        var session = Session();
        Feed(session, ">PASSWORD:Need 'Auth' username/password");
        Assert.Equal(TunnelState.AuthFailed, session.Status.State);
        Assert.IsType<TerminateProcess>(Assert.Single(_actions));
    }

    [Fact]
    public void A_refused_password_stops_and_nothing_restarts_after_the_exit()
    {
        var session = Released(new OpenVpnCredentials("alice", "wrong"));
        Feed(session,
            ">PASSWORD:Need 'Auth' username/password",
            ">LOG:1795654806,,AUTH: Received control message: AUTH_FAILED,bad user",
            ">PASSWORD:Verification Failed: 'Auth'",
            ">STATE:1795654806,EXITING,auth-failure,,,,,");
        Assert.Equal(TunnelState.AuthFailed, session.Status.State);
        Assert.Contains("AUTH_FAILED: bad user", session.Status.Reason, StringComparison.Ordinal);
        _actions.Clear();
        session.ProcessExited(1, managementSeen: true, null, _actions);
        Assert.Empty(_actions);
        Assert.Equal(TunnelState.AuthFailed, session.Status.State);
        Assert.False(session.ProcessStartWanted(int.MaxValue));

        session.Reset();
        Assert.Equal(TunnelState.Stopped, session.Status.State);
        Assert.False(session.IsTerminal);
    }

    [Fact]
    public void An_exit_before_the_management_connection_is_a_configuration_error_without_retry()
    {
        var session = Session();
        session.ProcessStarting();
        session.ProcessExited(1, managementSeen: false, "Options error: Unrecognized option or missing or extra parameter(s) in openvpn.conf:3: bogus (2.6.14)", _actions);
        Assert.Equal(TunnelState.ConfigError, session.Status.State);
        Assert.Contains("Options error", session.Status.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(_actions, a => a is ScheduleProcessStart or ScheduleHoldRelease);
    }

    [Fact]
    public void A_fatal_configuration_error_is_terminal()
    {
        var session = Released();
        Feed(session, ">FATAL:Cannot load inline certificate file");
        Assert.Equal(TunnelState.ConfigError, session.Status.State);
        Assert.IsType<TerminateProcess>(Assert.Single(_actions));
    }

    [Fact]
    public void An_exit_after_a_connection_restarts_after_the_backoff_and_the_new_hold_is_released_at_once()
    {
        var session = Connected();
        Feed(session, ">FATAL:Cannot open TUN/TAP dev /dev/net/tun: No such device (errno=19)");
        session.ProcessExited(1, managementSeen: true, null, _actions);
        Assert.Equal(TunnelState.Exited, session.Status.State);
        Assert.Contains("Cannot open TUN/TAP", session.Status.Reason, StringComparison.Ordinal);
        var start = Assert.IsType<ScheduleProcessStart>(Assert.Single(_actions));
        Assert.Equal(TimeSpan.FromSeconds(1), start.Delay);
        Assert.True(session.ProcessStartWanted(start.Token));

        _actions.Clear();
        session.ProcessStarting();
        Assert.Equal(TunnelState.Reconnecting, session.Status.State);
        Feed(session, ">HOLD:Waiting for hold release:0");
        Assert.Equal(TimeSpan.Zero, Assert.IsType<ScheduleHoldRelease>(Assert.Single(_actions)).Delay);
    }

    [Fact]
    public void A_stale_hold_timer_does_nothing()
    {
        var session = Session();
        session.AllowHoldRelease(_actions);
        Feed(session, ">HOLD:Waiting for hold release:0");
        var release = Assert.IsType<ScheduleHoldRelease>(Assert.Single(_actions));
        _actions.Clear();
        session.HoldTimerFired(release.Token - 1, _actions);
        Assert.Empty(_actions);
    }

    [Fact]
    public void A_stop_ends_in_stopped_without_restart()
    {
        var session = Connected();
        session.Stopping(processRunning: true);
        Feed(session, ">STATE:1795654769,EXITING,SIGTERM,,,,,");
        session.ProcessExited(0, managementSeen: true, null, _actions);
        Assert.Equal(TunnelState.Stopped, session.Status.State);
        Assert.Empty(_actions);
    }

    [Fact]
    public void A_stop_while_waiting_to_restart_is_stopped_at_once_and_cancels_the_restart()
    {
        var session = Connected();
        session.ProcessExited(1, managementSeen: true, null, _actions);
        var start = Assert.IsType<ScheduleProcessStart>(Assert.Single(_actions));
        session.Stopping(processRunning: false);
        Assert.Equal(TunnelState.Stopped, session.Status.State);
        Assert.False(session.ProcessStartWanted(start.Token));
    }

    private OpenVpnSession Session(OpenVpnCredentials? credentials = null) =>
        new("gvpn0", OpenVpnBackoff.Default with { Jitter = 0 }, _time, () => 0.0, credentials, 1, (status, published) => _updates.Add((status, published)));

    private OpenVpnSession Released(OpenVpnCredentials? credentials = null)
    {
        var session = Session(credentials);
        session.ProcessStarting();
        session.AllowHoldRelease(_actions);
        Feed(session, ">HOLD:Waiting for hold release:0");
        session.HoldTimerFired(Assert.IsType<ScheduleHoldRelease>(Assert.Single(_actions)).Token, _actions);
        _actions.Clear();
        return session;
    }

    private OpenVpnSession Connected()
    {
        var session = Released();
        _time.Advance(TimeSpan.FromSeconds(1));
        Feed(session,
            ">STATE:1795654773,WAIT,,,,,,",
            ">STATE:1795654773,AUTH,,,,,,",
            ">LOG:1795654773,,PUSH: Received control message: 'PUSH_REPLY,dhcp-option DNS 10.8.0.1,dhcp-option DNS6 fd00:8::1,redirect-gateway def1,route-gateway 10.8.0.1,topology subnet,ping 1,ping-restart 4,ifconfig-ipv6 fd00:8::1000/64 fd00:8::1,ifconfig 10.8.0.2 255.255.255.0,peer-id 0,cipher AES-256-GCM'",
            ">STATE:1795654773,ASSIGN_IP,,10.8.0.2,,,,,fd00:8::1000",
            ">STATE:1795654773,CONNECTED,SUCCESS,10.8.0.2,198.51.100.1,1194,,,fd00:8::1000");
        Assert.Empty(_actions);
        return session;
    }

    private void Feed(OpenVpnSession session, params string[] lines)
    {
        foreach (var line in lines)
        {
            session.OnLine(line, _actions);
        }
    }

    private string[] Sent() => [.. _actions.OfType<SendCommand>().Select(s => s.Command)];

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
