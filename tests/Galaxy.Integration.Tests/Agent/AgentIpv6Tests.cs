using System.Diagnostics;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>
/// IPv6 from the LAN with the real agent: TPROXY hands it to the relay on [::1], and with no egress that
/// carries IPv6 (the lab's WAN has none) the relay refuses it at once with a reset — never a leak, never a hang.
/// </summary>
public sealed class AgentIpv6Tests
{
    // direct is used only when named: here it is the default for every flow.
    private const string Direct = """
        [routing]
        default = "out"

        [[egress]]
        name = "out"
        type = "direct"
        """;

    [Fact(Timeout = 60_000)]
    public async Task An_ipv6_LAN_host_s_DNS_query_is_answered_by_the_agent_from_the_address_it_asked()
    {
        await using var lab = await Ipv6LabAsync();
        await lab.StartDnsServerAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(Direct, extra: $"servers = [\"{RouterLab.DnsServer}\"]"));
        await agent.WaitForOutputAsync("LAN resolver listening on [::1]:", TimeSpan.FromSeconds(5));

        // A resolver address of the LAN host's own choosing, which exists nowhere: the agent answers for it (dig
        // takes only a reply from the address it asked), with what the configured resolver said, over the egress.
        foreach (var transport in (string[])["+notcp", "+tcp"])
        {
            var dig = await lab.LanHost.RunAsync("dig", "-6", transport, "+time=2", "+tries=1", "+short", "@2001:db8:53::53", "example.test", "A");
            Assert.True(dig.ExitCode == 0 && dig.StandardOutput.Trim() == "192.0.2.80", $"dig -6 {transport}: {dig.Describe()} | {agent.Output()}");
        }

        // The agent dies: the kernel's ruleset still drops IPv6 DNS, even with IPv6 forwarding on and a route to
        // the WAN that would carry it (a permanent neighbour, so a forwarded query would be on the wire at once).
        await agent.StopAsync(LabNative.SigKill);
        await lab.Router.SetSysctlAsync("net.ipv6.conf.all.forwarding", "1");
        await lab.Router.AddAddressAsync("wan0", "2001:db8:200::1/64");
        await lab.Router.RunCheckedAsync("ip", "-6", "neigh", "add", "2001:db8:200::2", "lladdr", "02:00:00:00:02:02", "dev", "wan0", "nud", "permanent");
        await lab.Router.AddRouteAsync("default", "via", "2001:db8:200::2");
        async Task<IReadOnlyList<CapturedPacket>> DigOnTheWanAsync()
        {
            var capture = await lab.Router.CaptureAsync("wan0");
            foreach (var transport in (string[])["+notcp", "+tcp"])
            {
                await lab.LanHost.RunAsync("dig", "-6", transport, "+time=1", "+tries=1", "@2001:db8:53::53", "example.test", "A");
            }

            return LeakProbes.Leaks(await capture.StopAsync());
        }

        var leaks = await DigOnTheWanAsync();
        Assert.True(leaks.Count == 0, $"IPv6 DNS left on the WAN after the agent died: {string.Join("; ", leaks)}");

        // Positive control: without Galaxy's table the same queries are forwarded, and the capture sees them.
        await lab.Router.RunCheckedAsync("nft", "delete", "table", "inet", "galaxy");
        Assert.Contains(await DigOnTheWanAsync(), p => p.DestinationPort == 53 && p.Destination?.ToString() == "2001:db8:53::53");
    }

    [Fact(Timeout = 60_000)]
    public async Task An_ipv6_LAN_flow_reaches_the_relay_and_without_an_ipv6_route_is_reset_not_leaked()
    {
        await using var lab = await Ipv6LabAsync();
        // No static neighbour: the LAN host finds the router's link address by neighbour discovery, which
        // the ruleset lets through (solicited-node multicast to the router, and its answer).
        await lab.StartWebServerAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(Direct));
        var capture = await lab.Router.CaptureAsync("wan0");

        var clock = Stopwatch.StartNew();
        var attempt = await lab.LanHost.RunAsync("curl", "-sS", "--max-time", "5", "http://[2001:db8:99::1]/");
        clock.Stop();
        var leaks = LeakProbes.Leaks(await capture.StopAsync()); // the WAN during the IPv6 attempt only
        var ipv4 = await lab.CurlAsync($"http://{RouterLab.WebServer}/");

        Assert.Contains("relay listening on [::1]:", agent.StandardOutput + agent.StandardError, StringComparison.Ordinal);
        // TPROXY completed the handshake, then the relay reset the flow: curl's 56 or 52, or 7 when the reset
        // came before curl looked at its connect; never 28 (timeout). The relay says it took the flow.
        Assert.True(CurlExit.ResetOrClosed(attempt.ExitCode) && clock.Elapsed < TimeSpan.FromSeconds(3),
            $"expected a prompt reset, saw exit {attempt.ExitCode} after {clock.ElapsedMilliseconds} ms; {attempt.Describe()} | {agent.Output()}");
        await agent.WaitForOutputAsync("-> [2001:db8:99::1]:80 through", TimeSpan.FromSeconds(2));
        Assert.True(ipv4 is not null && ipv4.Contains($"you are {RouterLab.RouterWanAddress}", StringComparison.Ordinal), $"IPv4 must still be relayed; {agent.Output()}");
        Assert.True(leaks.Count == 0, $"leaked: {string.Join("; ", leaks)}");
    }

    /// <summary>The router lab with IPv6 on the LAN too: the host 2001:db8:100::2, the router 2001:db8:100::1 its gateway.</summary>
    private static async Task<RouterLab> Ipv6LabAsync()
    {
        var lab = await RouterLab.CreateAsync();
        try
        {
            await lab.LanHost.AddAddressAsync("eth0", "2001:db8:100::2/64");
            await lab.Router.AddAddressAsync("lan0", "2001:db8:100::1/64");
            await lab.LanHost.AddRouteAsync("default", "via", "2001:db8:100::1");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }
}
