using System.Diagnostics;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>DNS from the LAN, as the agent answers it: through the tunnel, to the resolver the VPN pushed.</summary>
public sealed class AgentDnsTests
{
    [Fact]
    public async Task A_query_to_a_foreign_resolver_is_answered_through_the_tunnel_and_nothing_of_it_reaches_the_WAN()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartDnsServerAsync();
        var profile = await lab.StartVpsAsync(pushDns: RouterLab.DnsServer);
        var agent = await lab.StartAgentAsync(lab.WriteConfig(RouterLab.OpenVpnEgress(profile)));
        await agent.WaitForOutputAsync("egress vps is UP", TimeSpan.FromSeconds(30));

        var wan = await lab.Router.CaptureAsync("wan0");
        foreach (var transport in (string[])["+notcp", "+tcp"])
        {
            var dig = await lab.LanHost.RunAsync("dig", transport, "+time=2", "+tries=1", "+short", $"@{RouterLab.DnsServer}", "example.test", "A");
            Assert.True(dig.ExitCode == 0 && dig.StandardOutput.Trim() == "192.0.2.80", $"dig {transport}: {dig.Describe()} | {agent.Output()}");
        }

        var leaks = LeakProbes.Leaks(await wan.StopAsync(), RouterLab.Vps);
        Assert.True(leaks.Count == 0, $"DNS leaked on the WAN: {string.Join("; ", leaks)}");

        // Without the tunnel: SERVFAIL at once, still nothing on the WAN.
        await lab.VpsServer!.StopAsync();
        await agent.WaitForOutputAsync("egress vps is DOWN", TimeSpan.FromSeconds(10));
        wan = await lab.Router.CaptureAsync("wan0");
        var watch = Stopwatch.StartNew();
        var refused = await lab.LanHost.RunAsync("dig", "+time=3", "+tries=1", $"@{RouterLab.DnsServer}", "fresh.example.test", "A");
        watch.Stop();
        Assert.Contains("status: SERVFAIL", refused.StandardOutput, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"SERVFAIL took {watch.ElapsedMilliseconds} ms");
        leaks = LeakProbes.Leaks(await wan.StopAsync(), RouterLab.Vps);
        Assert.True(leaks.Count == 0, $"DNS leaked on the WAN with the tunnel down: {string.Join("; ", leaks)}");
    }

    [Fact]
    public async Task A_VPN_host_name_is_resolved_only_by_the_agent_s_marked_bootstrap_lookup_and_pinned()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartDnsServerAsync();
        await lab.StartWebServerAsync();
        var profile = await lab.StartVpsAsync(endpointHost: "vps.example.test");
        var wan = await lab.Router.CaptureAsync("wan0");
        var agent = await lab.StartAgentAsync(lab.WriteConfig(RouterLab.OpenVpnEgress(profile), extra: $"bootstrap = [\"{RouterLab.DnsServer}\"]"));
        await agent.WaitForOutputAsync("egress vps is UP", TimeSpan.FromSeconds(30));

        // The router itself cannot resolve on the WAN: only the agent's marked socket may reach the resolver.
        var unmarked = await lab.Router.RunAsync("dig", "+time=1", "+tries=1", $"@{RouterLab.DnsServer}", "vps.example.test", "A");
        Assert.NotEqual(0, unmarked.ExitCode);

        var packets = await wan.StopAsync();
        var lookups = packets.Where(p => p.IsUdp && p.DestinationPort == 53 && p.Source?.ToString() == RouterLab.RouterWanAddress).ToList();
        Assert.True(lookups.Count >= 1, $"no bootstrap lookup seen on the WAN: {string.Join("; ", packets.Take(20))}");
        var nft = await lab.Router.RunCheckedAsync("nft", "list", "chain", "inet", "galaxy", "output");
        Assert.Contains($"ip daddr {RouterLab.Vps} udp dport 1194 accept", nft.StandardOutput, StringComparison.Ordinal);
        Assert.NotNull(await lab.CurlAsync($"http://{RouterLab.WebServer}/"));
    }

    [Fact]
    public async Task A_VPN_host_name_that_does_not_resolve_keeps_its_egress_down_and_the_agent_running()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        var profile = await lab.StartVpsAsync(endpointHost: "vps.example.test");
        var agent = await lab.StartAgentAsync(lab.WriteConfig(RouterLab.OpenVpnEgress(profile)));

        await agent.WaitForOutputAsync("tunnel vps: unresolved", TimeSpan.FromSeconds(10));
        Assert.Null(await lab.CurlAsync($"http://{RouterLab.WebServer}/", 1.5));
        Assert.False(agent.HasExited, agent.Output());
        Assert.DoesNotContain("egress vps is UP", agent.StandardError, StringComparison.Ordinal);
    }
}
