using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>
/// The leak suite: a LAN VM behind the agent, an OpenVPN VPS made by <c>galaxy vps openvpn</c> in the lab's
/// "internet", and tcpdump on the router's WAN link as the oracle. In every state the only packets the router
/// may send there are OpenVPN's own to the pinned endpoint (plus ARP and DHCP). A positive control runs
/// first, so a broken capture cannot pass.
/// </summary>
public sealed class OpenVpnLeakSuiteTests
{
    private static readonly TimeSpan TunnelTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long the agent waits for a sign of life from a connected tunnel (OpenVpnDriver.SilenceLimit).</summary>
    private static readonly TimeSpan OpenVpnSilence = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task No_LAN_packet_reaches_the_WAN_while_connecting_connected_after_the_VPS_dies_or_the_device_goes_and_after_kill_9()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();

        // Positive control: without Galaxy's table, a forwarding router lets the probes out and the capture sees them.
        await lab.Router.SetSysctlAsync("net.ipv4.ip_forward", "1");
        await AssertProbesSeenAsync(lab);

        // Connecting: the VPS is not running yet.
        var profile = await lab.StartVpsAsync();
        await lab.VpsServer!.StopAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(RouterLab.OpenVpnEgress(profile)));

        // The agent turns forwarding off; turn it back on, so that what is proved below is the table's doing.
        await lab.Router.SetSysctlAsync("net.ipv4.ip_forward", "1");
        await AssertNoLeakAsync(lab, "connecting (VPS down)");
        Assert.DoesNotContain("egress vps is UP", agent.StandardError, StringComparison.Ordinal);

        // Connected: the request goes through the tunnel; the WAN sees OpenVPN's packets only.
        await lab.StartVpsAsync();
        await agent.WaitForOutputAsync("egress vps is UP", TunnelTimeout);
        var body = await lab.CurlAsync($"http://{RouterLab.WebServer}/");
        Assert.True(body is not null && body.Contains("you are 10.8.0.", StringComparison.Ordinal), $"through the tunnel the server should see 10.8.0.x, saw: {body ?? "(no answer)"}");
        await AssertNoLeakAsync(lab, "connected");

        // The VPS dies without a word (SIGKILL: no exit notification): the silence gives it away.
        await lab.VpsServer!.StopAsync(LabNative.SigKill);
        await AssertNoLeakAsync(lab, "VPS killed, tunnel not yet declared down");
        await agent.WaitForOutputAsync("egress vps is DOWN", OpenVpnSilence + TimeSpan.FromSeconds(10));
        Assert.Null(await lab.CurlAsync($"http://{RouterLab.WebServer}/", 1.5));
        await AssertNoLeakAsync(lab, "VPS killed");

        // It comes back, then the tunnel device is deleted under the agent.
        await lab.StartVpsAsync();
        await agent.WaitForOutputAsync("egress vps is UP", TunnelTimeout, occurrences: 2);
        await lab.Router.RunCheckedAsync("ip", "link", "del", "gxtun0");
        var deleted = DateTime.UtcNow;
        await agent.WaitForOutputAsync("egress vps is DOWN", TimeSpan.FromSeconds(5), occurrences: 2);
        var reaction = DownLoggedAt(agent.StandardError, occurrence: 2) - deleted.TimeOfDay;
        await AssertNoLeakAsync(lab, "tunnel device deleted");

        // kill -9 of the agent: OpenVPN dies with it, the kernel keeps dropping.
        await agent.StopAsync(LabNative.SigKill);
        await AssertNoOpenVpnOfTheAgentAsync(lab, TimeSpan.FromSeconds(2));
        await AssertNoLeakAsync(lab, "agent killed with SIGKILL");
        // Target 100 ms; the bound leaves room for a loaded CI machine, the figure is in the message.
        Assert.True(reaction < TimeSpan.FromMilliseconds(250), $"the agent took {reaction.TotalMilliseconds:0} ms to mark the egress down after its device vanished");
    }

    /// <summary>The time of day of the agent's n-th "egress … is DOWN" line (its log lines start with HH:mm:ss.fff, UTC).</summary>
    private static TimeSpan DownLoggedAt(string log, int occurrence)
    {
        var lines = log.Split('\n').Where(l => l.Contains("egress vps is DOWN", StringComparison.Ordinal)).ToList();
        Assert.True(lines.Count >= occurrence, $"expected {occurrence} DOWN lines: {log}");
        return TimeSpan.ParseExact(lines[occurrence - 1][..12], @"hh\:mm\:ss\.fff", System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_restarted_agent_and_a_flapped_WAN_link_recover_without_leaking()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        await lab.Router.SetSysctlAsync("net.ipv4.ip_forward", "1");
        await AssertProbesSeenAsync(lab);

        var profile = await lab.StartVpsAsync();
        var config = lab.WriteConfig(RouterLab.OpenVpnEgress(profile));
        var agent = await lab.StartAgentAsync(config);
        await lab.Router.SetSysctlAsync("net.ipv4.ip_forward", "1");
        await agent.WaitForOutputAsync("egress vps is UP", TunnelTimeout);

        // Restart: stop (SIGTERM) and start again; closed in between, open again after.
        await agent.StopAsync();
        await AssertNoLeakAsync(lab, "agent stopped");
        agent = await lab.StartAgentAsync(config);
        await lab.Router.SetSysctlAsync("net.ipv4.ip_forward", "1");
        await agent.WaitForOutputAsync("egress vps is UP", TunnelTimeout);
        Assert.NotNull(await lab.CurlAsync($"http://{RouterLab.WebServer}/"));

        // The WAN link flaps: nothing leaks while it is down or coming back; traffic resumes.
        var capture = await lab.Router.CaptureAsync("wan0");
        await lab.Router.RunCheckedAsync("ip", "link", "set", "wan0", "down");
        await LeakProbes.SendAsync(lab.LanHost);
        await lab.Router.RunCheckedAsync("ip", "link", "set", "wan0", "up");
        await lab.Router.RunCheckedAsync("ip", "route", "replace", "default", "via", RouterLab.UplinkAddress);
        await LeakProbes.SendAsync(lab.LanHost);
        var leaks = LeakProbes.Leaks(await capture.StopAsync(), RouterLab.Vps);
        Assert.True(leaks.Count == 0, $"WAN flap: leaked {string.Join("; ", leaks)}");

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string? body = null;
        while (body is null && DateTime.UtcNow < deadline)
        {
            body = await lab.CurlAsync($"http://{RouterLab.WebServer}/", 2);
        }

        Assert.True(body is not null, $"traffic did not resume after the WAN flap; {agent.Output()}");
    }

    private static async Task AssertProbesSeenAsync(RouterLab lab)
    {
        var capture = await lab.Router.CaptureAsync("wan0");
        await LeakProbes.SendAsync(lab.LanHost);
        var seen = (await capture.StopAsync()).Count(RouterLab.IsFromLan);
        Assert.True(seen >= 5, $"positive control: only {seen} LAN packets seen on the WAN without Galaxy's table");
    }

    private static async Task AssertNoLeakAsync(RouterLab lab, string state)
    {
        var capture = await lab.Router.CaptureAsync("wan0");
        await LeakProbes.SendAsync(lab.LanHost);
        var leaks = LeakProbes.Leaks(await capture.StopAsync(), RouterLab.Vps);
        Assert.True(leaks.Count == 0, $"{state}: {leaks.Count} packet(s) leaked on the WAN: {string.Join("; ", leaks.Take(10))}");
    }

    private static async Task AssertNoOpenVpnOfTheAgentAsync(RouterLab lab, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var found = await lab.Router.RunAsync("pgrep", "-f", "--dev gxtun0");
            if (found.ExitCode != 0)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"openvpn still running {within.TotalSeconds} s after the agent's kill -9: {found.StandardOutput}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
