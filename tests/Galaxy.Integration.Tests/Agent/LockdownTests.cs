using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Agent;

/// <summary><c>galaxy lockdown</c>, as the early boot service runs it: the published binary, a real kernel.</summary>
public sealed class LockdownTests
{
    [Fact]
    public async Task With_only_lockdown_applied_no_probe_reaches_the_WAN_after_a_positive_control_saw_them()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();

        // Positive control: a plain forwarding router lets the probes out, and the capture sees them.
        await lab.Router.SetSysctlAsync("net.ipv4.ip_forward", "1");
        var control = await lab.Router.CaptureAsync("wan0");
        await LeakProbes.SendAsync(lab.LanHost);
        var seen = await control.StopAsync();
        Assert.True(seen.Count(RouterLab.IsFromLan) >= 5, $"the positive control saw only {seen.Count(RouterLab.IsFromLan)} LAN packets on the WAN: {string.Join("; ", seen)}");

        var lockdown = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "lockdown");
        Assert.True(lockdown.ExitCode == 0, lockdown.Describe());
        Assert.Contains("verified", lockdown.StandardOutput, StringComparison.Ordinal);

        // Lockdown also turns forwarding off; turn it back on: the table alone must hold.
        await lab.Router.SetSysctlAsync("net.ipv4.ip_forward", "1");
        var capture = await lab.Router.CaptureAsync("wan0");
        await LeakProbes.SendAsync(lab.LanHost);
        var leaks = LeakProbes.Leaks(await capture.StopAsync());
        Assert.True(leaks.Count == 0, $"leaked: {string.Join("; ", leaks)}");

        var ruleset = await lab.Router.RunCheckedAsync("nft", "list", "table", "inet", "galaxy");
        Assert.Contains("policy drop", ruleset.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lockdown_applied_twice_replaces_the_table_and_still_verifies()
    {
        await using var lab = await RouterLab.CreateAsync();
        for (var i = 0; i < 2; i++)
        {
            var result = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "lockdown");
            Assert.True(result.ExitCode == 0, result.Describe());
        }

        var json = await lab.Router.RunCheckedAsync("nft", "-j", "list", "table", "inet", "galaxy");
        using var document = System.Text.Json.JsonDocument.Parse(json.StandardOutput);
        var rules = document.RootElement.GetProperty("nftables").EnumerateArray().Count(e => e.TryGetProperty("rule", out _));
        Assert.Equal(7, rules);
    }
}
