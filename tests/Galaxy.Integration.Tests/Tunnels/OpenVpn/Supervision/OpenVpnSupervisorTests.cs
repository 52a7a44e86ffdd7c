using System.Text.Json;
using Galaxy.Agent.Tunnels;
using Galaxy.Agent.Tunnels.OpenVpn;
using Galaxy.Agent.Tunnels.OpenVpn.Supervision;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Tunnels.OpenVpn.Supervision;

/// <summary>The supervisor against a real OpenVPN server in a lab namespace.</summary>
public sealed class OpenVpnSupervisorTests
{
    private const int SigStop = 19;

    private static readonly OpenVpnBackoff Quick = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// Also the issue's "a server that pushes redirect-gateway def1, routes and dhcp-option DNS: the router's
    /// main routing table and resolv.conf are unchanged": the server pushes all of them (see
    /// <see cref="OpenVpnTestPki.ServerArguments"/>), and the edge has default routes that a stock client
    /// would divert (def1 needs a default gateway to act on).
    /// </summary>
    [Fact]
    public async Task The_tunnel_goes_connecting_connected_reconnecting_and_connected_again_with_the_same_openvpn()
    {
        await using var lab = await OpenVpnLab.CreateAsync();
        await lab.StartServerAsync();
        await CountMarksAsync(lab.Edge);
        await lab.Edge.AddRouteAsync("default", "via", OpenVpnTestPki.ServerAddress);
        await lab.Edge.RunCheckedAsync("ip", "-6", "address", "add", "2001:db8:1::2/64", "dev", "wan0", "nodad");
        await lab.Edge.RunCheckedAsync("ip", "-6", "route", "add", "default", "via", "2001:db8:1::1");
        var routesBefore = await MainRoutesAsync(lab.Edge, "gvpn0");
        var resolvBefore = ResolvConf();
        await using var supervisor = lab.Supervisor(lab.Pki.ClientProfile, Quick);
        var watch = new StatusWatch(supervisor);

        await supervisor.StartAsync(Token);
        await watch.WaitForAsync(s => s.Detail == "HOLD", TimeSpan.FromSeconds(5), "OpenVPN in its hold");
        Assert.True(supervisor.Current.State == TunnelState.Connecting, $"expected Connecting while held, saw {supervisor.Current}");
        var (marked, unmarked) = await ReadMarksAsync(lab.Edge);
        Assert.True(marked + unmarked == 0, $"expected no packet to the server before the hold is released; saw {marked} marked, {unmarked} unmarked");

        supervisor.ReleaseHold();
        var connected = await watch.WaitForAsync(s => s.State == TunnelState.Connected, TimeSpan.FromSeconds(10), "Connected");
        var pid = supervisor.ProcessId;
        Assert.Equal([OpenVpnTestPki.TunnelDns, OpenVpnTestPki.TunnelDns6], StatusWatch.Addresses(connected));
        Assert.Equal("10.8.0.2", connected.LocalIPv4?.ToString());
        Assert.Equal("fd00:8::1000", connected.LocalIPv6?.ToString());
        Assert.Equal("gvpn0", connected.DeviceName);

        // Pushed redirect-gateway def1, route and route-ipv6 were dropped: the edge's main tables are as they
        // were, but for the kernel's own routes of the addresses OpenVPN put on Galaxy's device.
        var routesAfter = await MainRoutesAsync(lab.Edge, "gvpn0");
        Assert.True(routesBefore.SequenceEqual(routesAfter),
            $"expected the main tables unchanged by the pushed routes;\nbefore:\n{string.Join('\n', routesBefore)}\nafter:\n{string.Join('\n', routesAfter)}");
        var shown = string.Join('\n', routesAfter);
        foreach (var pushed in new[] { "0.0.0.0/1", "128.0.0.0/1", "192.0.2.0/24", OpenVpnTestPki.PushedRoute6 })
        {
            Assert.DoesNotContain($"\"dst\":\"{pushed}\"", shown, StringComparison.Ordinal);
        }

        // The pushed DNS servers reach the status (for the DNS forwarder) and nowhere else: OpenVPN runs no
        // script, so the resolv.conf the edge's processes read (the host's; ip netns exec bind-mounts
        // /etc/netns/NAME/resolv.conf only when that exists) is untouched.
        Assert.Contains(OpenVpnTestPki.TunnelDns, StatusWatch.Addresses(connected));
        Assert.Equal(resolvBefore, ResolvConf());
        Assert.False(File.Exists($"/etc/netns/{lab.Edge.Namespace}/resolv.conf"), "expected no per-namespace resolv.conf to appear");

        await lab.StopServerAsync();
        var reconnecting = await watch.WaitForAsync(s => s.State == TunnelState.Reconnecting, TimeSpan.FromSeconds(10), "Reconnecting after the server stopped");
        Assert.False(string.IsNullOrEmpty(reconnecting.Reason), $"expected a reconnect reason; saw {reconnecting}");

        await lab.StartServerAsync();
        await watch.WaitForAsync(s => s.State == TunnelState.Connected, TimeSpan.FromSeconds(20), "Connected again after the server came back");
        Assert.True(pid == supervisor.ProcessId, $"expected the same OpenVPN (pid {pid}) to reconnect; now pid {supervisor.ProcessId}\n{watch.Describe()}");

        // Every packet OpenVPN sent to the server carried the egress mark (decimal --mark, seen on the wire).
        (marked, unmarked) = await ReadMarksAsync(lab.Edge);
        Assert.True(marked > 0 && unmarked == 0, $"expected OpenVPN's UDP packets to the server to carry mark {OpenVpnLab.Mark}; saw {marked} marked, {unmarked} unmarked");

        await supervisor.StopAsync(Token);
        Assert.True(supervisor.Current.State == TunnelState.Stopped && supervisor.ProcessId is null, $"expected Stopped and no process; saw {supervisor.Current}");
    }

    [Fact]
    public async Task A_client_certificate_the_server_refuses_is_reported_and_retried_only_on_the_backoff_schedule()
    {
        await using var lab = await OpenVpnLab.CreateAsync();
        await lab.StartServerAsync();
        await using var supervisor = lab.Supervisor(lab.Pki.RogueProfile, Quick);
        var watch = new StatusWatch(supervisor);

        await supervisor.StartAsync(Token);
        supervisor.ReleaseHold();
        var refused = await watch.WaitForAsync(s => s.State == TunnelState.Reconnecting, TimeSpan.FromSeconds(10), "Reconnecting after the TLS failure");
        Assert.Contains("refused this client's certificate", refused.Reason, StringComparison.Ordinal);
        await watch.CollectAsync(TimeSpan.FromSeconds(9));

        // Each RECONNECTING (a failed attempt) is followed by a hold that is released after the backoff for
        // the failures so far: 450 ms, 900 ms, 1800 ms (500 ms doubling, cap 2 s, jitter draw 0.5 of 20 %).
        var seen = watch.Seen.ToList();
        var failures = 0;
        var gaps = new List<string>();
        for (var i = 0; i < seen.Count; i++)
        {
            if (seen[i].Status.Detail != "RECONNECTING")
            {
                continue;
            }

            failures++;
            var release = seen.Skip(i + 1).FirstOrDefault(s => s.Status.Detail == "RELEASED");
            if (release.Status is null)
            {
                break;
            }

            var expected = Quick.Delay(failures, 0.5);
            var gap = release.At - seen[i].At;
            gaps.Add($"failure {failures}: waited {gap.TotalMilliseconds:0} ms, schedule {expected.TotalMilliseconds:0} ms");
            // The times are when the test read each status: on a busy machine a late read shortens or stretches a gap.
            Assert.True(gap >= expected - TimeSpan.FromMilliseconds(250) && gap <= expected + TimeSpan.FromMilliseconds(1000),
                $"expected the next attempt {expected.TotalMilliseconds:0} ms after failure {failures}; {string.Join("; ", gaps)}\n{watch.Describe()}");
        }

        Assert.True(failures >= 3, $"expected at least 3 failed attempts in the window; saw {failures}\n{watch.Describe()}");
        Assert.True(failures <= 4, $"expected no more attempts than the schedule allows in ~12 s (hand-window 3 s + backoff); saw {failures}\n{watch.Describe()}");
        Assert.DoesNotContain(watch.Seen, s => s.Status.State == TunnelState.Connected);
        Assert.Contains("certificate verify failed", lab.ServerOutput, StringComparison.Ordinal);
    }

    /// <summary>
    /// Galaxy's default hand-window (15 s instead of OpenVPN's 60) applies to a profile that sets none: the
    /// generated profile with a certificate the server refuses fails its handshake, and is reported, after
    /// about 15 s. (The other tests' profiles set hand-window 3, which wins over the default.)
    /// </summary>
    [Fact]
    public async Task Without_a_hand_window_in_the_profile_a_refused_certificate_is_reported_within_twenty_seconds()
    {
        await using var lab = await OpenVpnLab.CreateAsync();
        await lab.StartServerAsync();
        await using var supervisor = lab.Supervisor(lab.Pki.RogueGeneratedProfile, Quick);
        var arguments = supervisor.Invocation.Arguments;
        var handWindow = arguments.IndexOf("--hand-window");
        Assert.True(handWindow >= 0 && handWindow < arguments.IndexOf("--config") && arguments[handWindow + 1] == "15",
            $"expected --hand-window 15 before --config; argv: {string.Join(' ', arguments)}");
        Assert.DoesNotContain("hand-window", await File.ReadAllTextAsync(lab.Pki.RogueGeneratedProfile, Token), StringComparison.Ordinal);
        var watch = new StatusWatch(supervisor);

        await supervisor.StartAsync(Token);
        await watch.WaitForAsync(s => s.Detail == "HOLD", TimeSpan.FromSeconds(5), "OpenVPN in its hold");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        supervisor.ReleaseHold();
        var refused = await watch.WaitForAsync(s => s.State == TunnelState.Reconnecting, TimeSpan.FromSeconds(20), "Reconnecting after the refused handshake");
        var elapsed = clock.Elapsed;

        Assert.Contains("refused this client's certificate", refused.Reason, StringComparison.Ordinal);
        Assert.True(elapsed >= TimeSpan.FromSeconds(OpenVpnCommandLine.HandWindowSeconds - 1),
            $"expected the failure to come from the 15 s hand-window, not sooner; it came after {elapsed.TotalSeconds:0.0} s\n{watch.Describe()}");
        Assert.Contains("certificate verify failed", lab.ServerOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_go_over_management_and_a_refused_password_stops_without_retrying()
    {
        await using var lab = await OpenVpnLab.CreateAsync(checkPasswords: true);
        await lab.StartServerAsync();
        await using var supervisor = lab.Supervisor(lab.Pki.PasswordProfile, Quick, new OpenVpnCredentials(OpenVpnTestPki.UserName, OpenVpnTestPki.Password));
        var watch = new StatusWatch(supervisor);
        await supervisor.StartAsync(Token);
        supervisor.ReleaseHold();
        await watch.WaitForAsync(s => s.State == TunnelState.Connected, TimeSpan.FromSeconds(10), "Connected with the right password (quote, space and backslash in it)");
        var config = await File.ReadAllTextAsync(supervisor.Invocation.ConfigPath, Token);
        Assert.DoesNotContain(OpenVpnTestPki.Password, config, StringComparison.Ordinal);
        Assert.True(OperatingSystem.IsLinux() && File.GetUnixFileMode(supervisor.Invocation.ConfigPath) == (UnixFileMode.UserRead | UnixFileMode.UserWrite),
            "expected the sanitized config to be readable by its owner only (0600)");

        await supervisor.RestartAsync(new OpenVpnCredentials(OpenVpnTestPki.UserName, "wrong"), Token);
        var failed = await watch.WaitForAsync(s => s.State == TunnelState.AuthFailed, TimeSpan.FromSeconds(10), "AuthFailed with a wrong password");
        Assert.Contains("AUTH_FAILED", failed.Reason, StringComparison.Ordinal);

        // No retry: OpenVPN is gone and nothing starts again until the owner restarts it.
        var before = watch.Seen.Count;
        await watch.CollectAsync(TimeSpan.FromSeconds(3));
        Assert.True(supervisor.ProcessId is null, $"expected OpenVPN to have exited after AUTH_FAILED; pid {supervisor.ProcessId}");
        Assert.True(supervisor.Current.State == TunnelState.AuthFailed, $"expected AuthFailed to stay; saw {supervisor.Current}");
        Assert.DoesNotContain(watch.Seen.Skip(before), s => s.Status.Detail is "START" or "RELEASED");
    }

    [Fact]
    public async Task Two_egresses_run_at_once_each_with_its_device_and_mark()
    {
        await using var lab = await OpenVpnLab.CreateAsync();
        await lab.StartServerAsync();
        await using var first = lab.Supervisor(lab.Pki.ClientProfile, Quick, device: "gvpn1", mark: 71);
        await using var second = lab.Supervisor(lab.Pki.ClientProfile, Quick, device: "gvpn2", mark: 72);
        var watches = new[] { new StatusWatch(first), new StatusWatch(second) };
        await Task.WhenAll(first.StartAsync(Token), second.StartAsync(Token));
        first.ReleaseHold();
        second.ReleaseHold();
        var connected = await Task.WhenAll(watches.Select(w => w.WaitForAsync(s => s.State == TunnelState.Connected, TimeSpan.FromSeconds(10), "Connected")));

        Assert.NotEqual(connected[0].LocalIPv4, connected[1].LocalIPv4);
        var links = await lab.Edge.LinkNamesAsync();
        Assert.Contains("gvpn1", links);
        Assert.Contains("gvpn2", links);
        // Each OpenVPN's (unconnected, --nobind) UDP socket carries its own egress's mark: 71 = 0x47, 72 = 0x48.
        var sockets = (await lab.Edge.RunCheckedAsync("ss", "-H", "-u", "-a", "-n", "-e", "-p")).StandardOutput.Split('\n');
        var firstSocket = sockets.SingleOrDefault(l => l.Contains($"pid={first.ProcessId},", StringComparison.Ordinal));
        var secondSocket = sockets.SingleOrDefault(l => l.Contains($"pid={second.ProcessId},", StringComparison.Ordinal));
        Assert.True(firstSocket?.Contains("fwmark:0x47", StringComparison.Ordinal) == true && secondSocket?.Contains("fwmark:0x48", StringComparison.Ordinal) == true,
            $"expected one UDP socket per OpenVPN, marked 0x47 (pid {first.ProcessId}) and 0x48 (pid {second.ProcessId}); ss says:\n{string.Join('\n', sockets)}");
    }

    [Fact]
    public async Task An_openvpn_that_exits_before_its_management_connection_is_a_config_error_and_is_not_retried()
    {
        await using var lab = await OpenVpnLab.CreateAsync();
        await using var supervisor = lab.Supervisor(lab.Pki.ClientProfile, Quick, executable: "/bin/false");
        var watch = new StatusWatch(supervisor);
        await supervisor.StartAsync(Token);
        Assert.True(supervisor.Current.State == TunnelState.ConfigError, $"expected ConfigError once StartAsync returned; saw {supervisor.Current}");
        supervisor.ReleaseHold();
        await watch.CollectAsync(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain(watch.Seen, s => s.Status.Detail == "START" && s.Status.Since > watch.Seen[0].Status.Since);
        Assert.True(supervisor.Current.State == TunnelState.ConfigError && supervisor.ProcessId is null, $"expected ConfigError to stay without a process; saw {supervisor.Current}");
    }

    [Fact]
    public async Task Stop_kills_an_openvpn_that_ignores_sigterm_after_the_grace_period()
    {
        await using var lab = await OpenVpnLab.CreateAsync();
        await using var supervisor = lab.Supervisor(lab.Pki.ClientProfile, Quick);
        var watch = new StatusWatch(supervisor);
        await supervisor.StartAsync(Token);
        await watch.WaitForAsync(s => s.Detail == "HOLD", TimeSpan.FromSeconds(5), "OpenVPN in its hold");
        var pid = supervisor.ProcessId!.Value;
        Assert.True(LabNative.Signal(pid, SigStop), $"could not SIGSTOP openvpn (pid {pid})");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await supervisor.StopAsync(Token).WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.9), $"expected the 3 s grace before the kill; stop took {clock.Elapsed}");
        Assert.False(IsRunning(pid), $"expected openvpn (pid {pid}) to be killed after the grace period");
        Assert.True(supervisor.Current.State == TunnelState.Stopped && supervisor.ProcessId is null, $"expected Stopped without a process; saw {supervisor.Current}");
    }

    [Fact]
    public async Task Killing_the_host_process_with_sigkill_leaves_no_openvpn_behind_even_a_frozen_one()
    {
        await using var lab = await OpenVpnLab.CreateAsync();
        await lab.StartServerAsync();
        var binary = Support.Artifacts.GalaxyBinary;
        var host = lab.Edge.Start(binary, "tunnel", "openvpn-run", "--profile", lab.Pki.ClientProfile, "--dev", "gvpn9",
            "--mark", "71", "--runtime", Path.Combine(lab.Lab.WorkDirectory, "run-kill"));
        await host.WaitForOutputAsync("\"state\":\"Connected\"", TimeSpan.FromSeconds(15));
        var pid = host.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Where(json => json.TryGetProperty("pid", out _))
            .Select(json => json.GetProperty("pid").GetInt32())
            .Last();
        var status = await File.ReadAllTextAsync($"/proc/{pid}/status", Token);
        Assert.Contains("Name:\topenvpn", status, StringComparison.Ordinal);
        Assert.Contains($"PPid:\t{host.Pid}\n", status, StringComparison.Ordinal);

        // Freeze OpenVPN first: a stopped process cannot notice its management connection closing, so only
        // the kernel's parent-death signal (setpriv --pdeathsig KILL, parent = the launcher thread) can end it.
        Assert.True(LabNative.Signal(pid, SigStop), $"could not SIGSTOP openvpn (pid {pid})");
        LabNative.Signal(host.Pid, LabNative.SigKill);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (IsRunning(pid))
        {
            Assert.True(DateTime.UtcNow < deadline, $"expected openvpn (pid {pid}) to be gone within 2 s of kill -9 of its host (pid {host.Pid})");
            await Task.Delay(20, Token);
        }
    }

    /// <summary>
    /// <c>ip -j route show table main</c> for IPv4 and IPv6, one JSON object per route, without the kernel's
    /// own routes on <paramref name="tunnel"/> (the prefixes of the addresses OpenVPN puts on the device,
    /// and its link-local one): those come with the device, not from anything pushed.
    /// </summary>
    private static async Task<List<string>> MainRoutesAsync(LabHost host, string tunnel)
    {
        var routes = new List<string>();
        foreach (var family in new[] { "-4", "-6" })
        {
            var result = await host.RunCheckedAsync("ip", "-j", family, "route", "show", "table", "main");
            using var json = JsonDocument.Parse(result.StandardOutput);
            foreach (var route in json.RootElement.EnumerateArray())
            {
                var own = route.TryGetProperty("dev", out var dev) && dev.GetString() == tunnel
                    && route.TryGetProperty("protocol", out var protocol) && protocol.GetString() == "kernel";
                if (!own)
                {
                    routes.Add(route.GetRawText());
                }
            }
        }

        return routes;
    }

    /// <summary>The host's /etc/resolv.conf: its content and when it was last written.</summary>
    private static (string Content, DateTime Written) ResolvConf() =>
        (File.ReadAllText("/etc/resolv.conf"), File.GetLastWriteTimeUtc("/etc/resolv.conf"));

    /// <summary>Running: the pid exists and is not a zombie (a dead child waits for its reaper, init here).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && stat.Contains("(openvpn)", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    /// <summary>Two counters on the edge's output path: packets to the server with the egress mark, and without.</summary>
    private static Task<CommandResult> CountMarksAsync(LabHost edge) =>
        edge.RunCheckedAsync(["nft", "-f", "-"], stdin:
            $"table inet galaxytest {{\n chain out {{\n type filter hook output priority 0; policy accept;\n" +
            $" ip daddr {OpenVpnTestPki.ServerAddress} udp dport {OpenVpnTestPki.Port} meta mark {OpenVpnLab.Mark} counter\n" +
            $" ip daddr {OpenVpnTestPki.ServerAddress} udp dport {OpenVpnTestPki.Port} meta mark != {OpenVpnLab.Mark} counter\n }}\n}}\n");

    private static async Task<(long Marked, long Unmarked)> ReadMarksAsync(LabHost edge)
    {
        var result = await edge.RunCheckedAsync("nft", "-j", "list", "table", "inet", "galaxytest");
        using var json = JsonDocument.Parse(result.StandardOutput);
        var counters = json.RootElement.GetProperty("nftables").EnumerateArray()
            .Where(e => e.TryGetProperty("rule", out _))
            .Select(e => e.GetProperty("rule").GetProperty("expr").EnumerateArray()
                .First(x => x.TryGetProperty("counter", out _)).GetProperty("counter").GetProperty("packets").GetInt64())
            .ToArray();
        return (counters[0], counters[1]);
    }
}
