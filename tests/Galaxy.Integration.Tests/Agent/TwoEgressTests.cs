namespace Galaxy.Integration.Tests.Agent;

/// <summary>Two OpenVPN egresses at once: each its own device, marks and table; the default group fails over in order.</summary>
public sealed class TwoEgressTests
{
    [Fact]
    public async Task Two_tunnels_run_side_by_side_and_traffic_fails_over_to_the_second_when_the_first_dies()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        var first = await lab.StartVpsAsync();
        var second = await lab.StartSecondVpsAsync();
        var config = lab.WriteConfig(RouterLab.OpenVpnEgress(first) + "\n\n" + $"""
            [[egress]]
            name = "backup"
            type = "openvpn"
            profile = "{second}"
            """);
        var agent = await lab.StartAgentAsync(config);
        await agent.WaitForOutputAsync("egress vps is UP", TimeSpan.FromSeconds(30));
        await agent.WaitForOutputAsync("egress backup is UP", TimeSpan.FromSeconds(30));

        // Each tunnel has its own device and its own table, each table its default route and its fall-back.
        foreach (var (device, table) in new[] { ("gxtun0", "4800"), ("gxtun1", "4801") })
        {
            var routes = await lab.Router.RunCheckedAsync("ip", "route", "show", "table", table);
            Assert.Contains($"default dev {device}", routes.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("unreachable default", routes.StandardOutput, StringComparison.Ordinal);
        }

        var body = await lab.CurlAsync($"http://{RouterLab.WebServer}/");
        Assert.True(body?.Contains("you are 10.8.0.", StringComparison.Ordinal) == true, $"the first egress should carry traffic; saw {body ?? "(no answer)"}");

        await lab.VpsServer!.StopAsync();
        await agent.WaitForOutputAsync("egress vps is DOWN", TimeSpan.FromSeconds(10));
        body = await lab.CurlAsync($"http://{RouterLab.WebServer}/");
        Assert.True(body?.Contains("you are 10.9.0.", StringComparison.Ordinal) == true, $"after the first died, the second should carry traffic; saw {body ?? "(no answer)"}; {agent.Output()}");
    }
}
