using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>
/// The agent end to end with the simplest egress (<c>direct</c>, only when named): LAN traffic is relayed,
/// and the moment the agent dies the kernel drops it.
/// </summary>
public sealed class DirectEgressAgentTests
{
    // direct is used only when named: here it is the default for every flow.
    private const string Direct = """
        [routing]
        default = "out"

        [[egress]]
        name = "out"
        type = "direct"
        """;

    [Fact]
    public async Task A_LAN_request_is_relayed_and_after_kill_9_of_the_agent_nothing_leaves()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(Direct));

        var body = await lab.CurlAsync($"http://{RouterLab.WebServer}/");
        Assert.True(body is not null, agent.Output());
        Assert.Contains($"you are {RouterLab.RouterWanAddress}", body, StringComparison.Ordinal);

        await agent.StopAsync(LabNative.SigKill);
        await lab.Router.SetSysctlAsync("net.ipv4.ip_forward", "1");
        var capture = await lab.Router.CaptureAsync("wan0");
        Assert.Null(await lab.CurlAsync($"http://{RouterLab.WebServer}/", 1.5));
        await LeakProbes.SendAsync(lab.LanHost);
        var leaks = LeakProbes.Leaks(await capture.StopAsync());
        Assert.True(leaks.Count == 0, $"leaked after kill -9: {string.Join("; ", leaks)}");
    }

    [Fact]
    public async Task An_agent_started_with_SIGHUP_and_SIGTERM_ignored_still_reloads_and_stops_on_them()
    {
        // As under nohup, or a service manager that ignores SIGHUP for its children: the agent inherits both
        // signals as ignored, and must still take SIGHUP as "reload" and SIGTERM as "stop".
        await using var lab = await RouterLab.CreateAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(Direct), signalsIgnored: true);

        Assert.True(LabNative.Signal(agent.Pid, LabNative.SigHup), "the agent should be running");
        await agent.WaitForOutputAsync("configuration reloaded", TimeSpan.FromSeconds(10));

        Assert.True(LabNative.Signal(agent.Pid, LabNative.SigTerm), "the agent should be running");
        Assert.Equal(0, await agent.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("agent stopping; the firewall stays closed", agent.Output(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_any_egress_the_agent_relays_nothing_and_the_WAN_stays_silent()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(""));
        await lab.Router.SetSysctlAsync("net.ipv4.ip_forward", "1");

        var capture = await lab.Router.CaptureAsync("wan0");
        Assert.Null(await lab.CurlAsync($"http://{RouterLab.WebServer}/", 1.5));
        await LeakProbes.SendAsync(lab.LanHost);
        var leaks = LeakProbes.Leaks(await capture.StopAsync());
        Assert.True(leaks.Count == 0, $"leaked: {string.Join("; ", leaks)} | {agent.Output()}");
    }

    [Fact]
    public async Task A_refused_configuration_exits_3_with_its_line_and_touches_nothing()
    {
        await using var lab = await RouterLab.CreateAsync();
        var path = lab.WriteConfig("[[egress]]\nname = \"out\"\ntype = \"warp\"\n");
        var result = await lab.Router.RunAsync(Support.Artifacts.GalaxyBinary, "agent", "--config", path);

        Assert.Equal(3, result.ExitCode);
        Assert.Matches(@"galaxy\.toml:\d+: unknown egress type 'warp'", result.StandardError);
        var tables = await lab.Router.RunCheckedAsync("nft", "list", "tables");
        Assert.DoesNotContain("galaxy", tables.StandardOutput, StringComparison.Ordinal);
    }
}
