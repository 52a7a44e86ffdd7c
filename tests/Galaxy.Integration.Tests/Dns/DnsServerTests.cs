using System.Diagnostics;
using System.Net;
using Galaxy.Agent.Dns;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Dns;

/// <summary>The DNS server in a real TPROXY setup: a LAN client asks a foreign resolver, the router answers.</summary>
public sealed class DnsServerTests
{
    [Fact]
    public async Task A_client_asking_a_foreign_resolver_gets_the_answer_from_that_resolvers_address()
    {
        await using var lab = await DnsLab.CreateAsync();
        var forwarder = lab.StartServers(() => new DnsUpstream(lab.WanDialer, [DnsLab.Resolver]));
        var capture = await lab.Client.CaptureAsync("eth0", "udp port 53");

        var dig = await lab.DigAsync("example.test", "A");

        var packets = await capture.StopAsync();
        Assert.True(dig.Succeeded, dig.Describe());
        Assert.Contains("status: NOERROR", dig.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"example\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.80", dig.StandardOutput);
        Assert.DoesNotContain("unexpected source", dig.StandardOutput + dig.StandardError, StringComparison.Ordinal);
        var replies = packets.Where(p => p.DestinationPort != 53).ToList();
        Assert.True(replies.Count == 1, $"expected one reply on the client's link; saw:\n{CapturedPacket.Describe(packets)}");
        Assert.True(Equals(replies[0].Source, IPAddress.Parse(DnsLab.ResolverAddress)) && replies[0].SourcePort == 53,
            $"the reply must come from {DnsLab.ResolverAddress}:53; saw:\n{CapturedPacket.Describe(packets)}");
        Assert.True(forwarder.Names.TryGetNames(IPAddress.Parse(DnsLab.ExampleAddress), out var names), "the answered address was not remembered");
        Assert.Equal(["example.test"], names);
    }

    [Fact]
    public async Task An_ipv6_client_asking_a_foreign_ipv6_resolver_gets_the_answer_from_that_address_over_udp_and_tcp()
    {
        await using var lab = await DnsLab.CreateAsync();
        var forwarder = lab.StartServers(() => new DnsUpstream(lab.WanDialer, [DnsLab.Resolver]));
        var capture = await lab.Client.CaptureAsync("eth0", "ip6 and udp port 53");

        var udp = await lab.Client.RunAsync(["dig", "+time=2", "+tries=1", $"@{DnsLab.ResolverAddress6}", "example.test", "AAAA"], timeout: TimeSpan.FromSeconds(10));
        var tcp = await lab.Client.RunAsync(["dig", "+tcp", "+time=2", "+tries=1", $"@{DnsLab.ResolverAddress6}", "example.test", "AAAA"], timeout: TimeSpan.FromSeconds(10));

        var packets = await capture.StopAsync();
        Assert.True(udp.Succeeded && tcp.Succeeded, udp.Describe() + "\n" + tcp.Describe());
        Assert.Matches(@"IN\s+AAAA\s+2001:db8::80", udp.StandardOutput);
        Assert.Matches(@"IN\s+AAAA\s+2001:db8::80", tcp.StandardOutput);
        var replies = packets.Where(p => p.DestinationPort != 53).ToList();
        Assert.True(replies.Count == 1 && Equals(replies[0].Source, IPAddress.Parse(DnsLab.ResolverAddress6)) && replies[0].SourcePort == 53,
            $"expected one reply from [{DnsLab.ResolverAddress6}]:53; saw:\n{CapturedPacket.Describe(packets)}");
        Assert.True(forwarder.Names.TryGetNames(IPAddress.Parse("2001:db8::80"), out _), "the answered IPv6 address was not remembered");
    }

    [Fact]
    public async Task Hostile_datagrams_get_formerr_or_nothing_and_the_server_keeps_answering()
    {
        await using var lab = await DnsLab.CreateAsync();
        var forwarder = lab.StartServers(() => new DnsUpstream(lab.WanDialer, [DnsLab.Resolver]));

        // A query whose name is a compression pointer to itself, then plain garbage. socat's UDP socket is
        // connected: it prints only what comes back from 203.0.113.53:53.
        var loop = await lab.Client.RunAsync(
            ["sh", "-c", $"printf '\\253\\315\\001\\000\\000\\001\\000\\000\\000\\000\\000\\000\\300\\014\\000\\001\\000\\001' | socat -t 1 - UDP:{DnsLab.ResolverAddress}:53 | od -An -tx1"],
            timeout: TimeSpan.FromSeconds(10));
        var garbage = await lab.Client.RunAsync(
            ["sh", "-c", $"printf 'hello' | socat -t 1 - UDP:{DnsLab.ResolverAddress}:53 | od -An -tx1"], timeout: TimeSpan.FromSeconds(10));
        var dig = await lab.DigAsync("example.test", "A");

        Assert.Equal("ab cd 81 81 00 00 00 00 00 00 00 00", loop.StandardOutput.Trim());
        Assert.True(garbage.StandardOutput.Trim().Length == 0, $"garbage should get no answer; got {garbage.StandardOutput}");
        Assert.Matches(@"IN\s+A\s+192\.0\.2\.80", dig.StandardOutput);
        Assert.Equal(2, forwarder.Statistics.Malformed);
    }

    [Fact]
    public async Task The_routers_own_query_to_the_listener_is_answered_from_the_listener()
    {
        await using var lab = await DnsLab.CreateAsync();
        var forwarder = lab.StartServers(() => new DnsUpstream(lab.WanDialer, [DnsLab.Resolver]));

        // What the router's resolv.conf (nameserver 127.0.0.1) makes its own programs do, on the agent's port.
        var dig = await lab.Router.RunAsync(["dig", "+time=2", "+tries=1", "@127.0.0.1", "-p", $"{DnsLab.DnsPort}", "example.test", "A"], timeout: TimeSpan.FromSeconds(10));
        var dig6 = await lab.Router.RunAsync(["dig", "+time=2", "+tries=1", "@::1", "-p", $"{DnsLab.DnsPort}", "example.test", "A"], timeout: TimeSpan.FromSeconds(10));

        Assert.True(dig.Succeeded && dig6.Succeeded, dig.Describe() + "\n" + dig6.Describe());
        Assert.Matches(@"IN\s+A\s+192\.0\.2\.80", dig.StandardOutput);
        Assert.Matches(@"IN\s+A\s+192\.0\.2\.80", dig6.StandardOutput);
        Assert.Equal(2, forwarder.Statistics.Queries);
    }

    [Fact]
    public async Task A_client_asking_over_tcp_is_answered_over_tcp()
    {
        await using var lab = await DnsLab.CreateAsync();
        var forwarder = lab.StartServers(() => new DnsUpstream(lab.WanDialer, [DnsLab.Resolver]));
        var upstream = await lab.Router.CaptureAsync("wan0", "port 53");

        var dig = await lab.DigAsync("+tcp", "example.test", "A");

        var packets = await upstream.StopAsync();
        Assert.True(dig.Succeeded, dig.Describe());
        Assert.Contains("status: NOERROR", dig.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("(TCP)", dig.StandardOutput, StringComparison.Ordinal);
        Assert.Matches(@"IN\s+A\s+192\.0\.2\.80", dig.StandardOutput);
        Assert.True(packets.Any(p => p.IsTcp && p.DestinationPort == 53) && !packets.Any(p => p.IsUdp),
            $"a TCP client's query should go upstream over TCP; saw on wan0:\n{CapturedPacket.Describe(packets)}");
        Assert.Equal(1, forwarder.Statistics.Queries);
    }

    [Fact]
    public async Task A_second_query_is_answered_from_the_cache_and_the_resolver_sees_one()
    {
        await using var lab = await DnsLab.CreateAsync();
        var forwarder = lab.StartServers(() => new DnsUpstream(lab.WanDialer, [DnsLab.Resolver]));
        var upstream = await lab.Router.CaptureAsync("wan0", "udp port 53 or tcp port 53");

        var first = await lab.DigAsync("example.test", "A");
        var second = await lab.DigAsync("example.test", "A");

        var packets = await upstream.StopAsync();
        Assert.True(first.Succeeded && second.Succeeded, first.Describe() + "\n" + second.Describe());
        Assert.Matches(@"IN\s+A\s+192\.0\.2\.80", second.StandardOutput);
        var queries = packets.Where(p => Equals(p.Destination, IPAddress.Parse(DnsLab.ResolverAddress)) && p.DestinationPort == 53).ToList();
        Assert.True(queries.Count == 1, $"expected the resolver to be asked once; saw on wan0:\n{CapturedPacket.Describe(packets)}");
        var statistics = forwarder.Statistics;
        Assert.True(statistics is { Queries: 2, CacheHits: 1, UpstreamQueries: 1 }, $"counters: {statistics}");
    }

    [Fact]
    public async Task With_the_egress_down_the_client_gets_servfail_quickly_and_nothing_leaves_the_router()
    {
        await using var lab = await DnsLab.CreateAsync();
        var forwarder = lab.StartServers(() => null);
        var wan = await lab.Router.CaptureAsync("wan0", "ip");
        var clock = Stopwatch.StartNew();

        var udp = await lab.DigAsync("example.test", "A");
        var tcp = await lab.DigAsync("+tcp", "example.test", "A");

        clock.Stop();
        var packets = await wan.StopAsync();
        Assert.Contains("status: SERVFAIL", udp.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("status: SERVFAIL", tcp.StandardOutput, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"two SERVFAILs took {clock.Elapsed.TotalMilliseconds:0} ms");
        Assert.True(packets.Count == 0, $"nothing may leave on the WAN while the egress is down; saw:\n{CapturedPacket.Describe(packets)}");
        Assert.Equal(2, forwarder.Statistics.ServerFailures);
    }
}
