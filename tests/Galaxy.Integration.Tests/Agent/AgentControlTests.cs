using System.Text.Json;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>The running agent's control socket, as an operator uses it: curl, the CLI, and someone who may not.</summary>
public sealed class AgentControlTests
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
    public async Task Status_egresses_and_connections_describe_the_running_router_and_nobody_is_refused()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(Direct));
        Assert.NotNull(await lab.CurlAsync($"http://{RouterLab.WebServer}/"));

        var status = await lab.Router.RunAsync("curl", "-s", "--unix-socket", lab.ControlSocket, "http://galaxy/v1/status");
        Assert.True(status.ExitCode == 0, status.Describe());
        using (var json = JsonDocument.Parse(status.StandardOutput))
        {
            Assert.Equal("closed", json.RootElement.GetProperty("kill_switch").GetString());
            Assert.True(json.RootElement.GetProperty("ruleset_verified").GetBoolean(), status.StandardOutput);
        }

        var egresses = await lab.Router.RunAsync("curl", "-s", "--unix-socket", lab.ControlSocket, "http://galaxy/v1/egresses");
        using (var json = JsonDocument.Parse(egresses.StandardOutput))
        {
            var first = json.RootElement.EnumerateArray().Single();
            Assert.Equal("out", first.GetProperty("name").GetString());
            Assert.True(first.GetProperty("up").GetBoolean(), egresses.StandardOutput);
            Assert.True(first.GetProperty("bytes_down").GetInt64() > 0, $"the relayed request's bytes are missing: {egresses.StandardOutput}");
        }

        var cli = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "egresses", "--socket", lab.ControlSocket);
        Assert.True(cli.ExitCode == 0 && cli.StandardOutput.Contains("out", StringComparison.Ordinal), cli.Describe());

        var metrics = await lab.Router.RunAsync("curl", "-s", "--unix-socket", lab.ControlSocket, "http://galaxy/v1/metrics");
        Assert.Contains("galaxy_egress_up{egress=\"out\"} 1", metrics.StandardOutput, StringComparison.Ordinal);

        // Someone who is neither root nor in the control group, even with the socket made world-writable.
        await lab.Router.RunCheckedAsync("chmod", "0666", lab.ControlSocket);
        await lab.Router.RunCheckedAsync("chmod", "0755", Path.GetDirectoryName(lab.ControlSocket)!);
        var nobody = await lab.Router.RunAsync("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", lab.ControlSocket, "http://galaxy/v1/status");
        Assert.True(nobody.StandardOutput.Trim() is "403" or "000", $"nobody got: {nobody.Describe()}");

        // No inet listener of the agent: only its TPROXY sockets on loopback (IPv4 and IPv6) and the resolver.
        var listeners = await lab.Router.RunCheckedAsync("ss", "-H", "-tlnp");
        Assert.All(listeners.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("galaxy", StringComparison.Ordinal)),
            l => Assert.True(l.Contains(" 127.0.0.1:", StringComparison.Ordinal) || l.Contains(" [::1]:", StringComparison.Ordinal), l));
        Assert.False(agent.HasExited);
    }

    [Fact]
    public async Task A_second_agent_refuses_to_start_and_leaves_the_running_one_s_firewall_alone()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        var config = lab.WriteConfig(Direct);
        var first = await lab.StartAgentAsync(config);
        var before = await lab.Router.RunCheckedAsync("nft", "list", "table", "inet", "galaxy");

        var second = await lab.Router.RunAsync([Artifacts.GalaxyBinary, "agent", "--config", config], timeout: TimeSpan.FromSeconds(20));
        Assert.Equal(1, second.ExitCode);
        Assert.Contains("another agent is running", second.StandardError, StringComparison.Ordinal);

        var after = await lab.Router.RunCheckedAsync("nft", "list", "table", "inet", "galaxy");
        Assert.Equal(Counterless(before.StandardOutput), Counterless(after.StandardOutput));
        Assert.NotNull(await lab.CurlAsync($"http://{RouterLab.WebServer}/"));
        Assert.False(first.HasExited);
    }

    private static string Counterless(string ruleset) =>
        System.Text.RegularExpressions.Regex.Replace(ruleset, @"counter packets \d+ bytes \d+", "counter");

    [Fact]
    public async Task The_CLI_says_plainly_when_no_agent_is_running()
    {
        await using var lab = await RouterLab.CreateAsync();
        var result = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "status", "--socket", lab.ControlSocket);
        Assert.Equal(4, result.ExitCode);
        Assert.Contains("not running", result.StandardError + result.StandardOutput, StringComparison.OrdinalIgnoreCase);
    }
}
