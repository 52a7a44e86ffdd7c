using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Dns;

namespace Galaxy.Integration.Tests.Dns;

/// <summary>The bootstrap resolver on the lab's WAN: only its marked socket gets through the router's output filter.</summary>
public sealed class BootstrapResolverTests
{
    private const uint BootstrapMark = 0x300;

    private const string OutputFilter = """
        table inet bootstraptest {
          chain output {
            type filter hook output priority filter; policy accept;
            oifname "wan0" meta mark 0x300 udp dport 53 accept
            oifname "wan0" meta mark 0x300 tcp dport 53 accept
            oifname "wan0" th dport 53 drop
          }
        }
        """;

    [Fact]
    public async Task A_marked_lookup_resolves_on_the_wan_and_an_unmarked_one_is_stopped_by_the_firewall()
    {
        await using var lab = await DnsLab.CreateAsync();
        var file = Path.Combine(lab.Lab.WorkDirectory, "bootstrap.nft");
        await File.WriteAllTextAsync(file, OutputFilter, TestContext.Current.CancellationToken);
        await lab.Router.RunCheckedAsync("nft", "-f", file);
        var resolver = new BootstrapResolver(TimeSpan.FromSeconds(1), lab.RouterSockets);

        var marked = await resolver.ResolveAsync("vpn.example.test", AddressFamily.InterNetwork, [DnsLab.Resolver], BootstrapMark, TestContext.Current.CancellationToken);
        var unmarked = await resolver.ResolveAsync("vpn.example.test", AddressFamily.InterNetwork, [DnsLab.Resolver], 0, TestContext.Current.CancellationToken);

        Assert.True(marked.Outcome == BootstrapOutcome.Resolved, $"marked lookup: {marked}");
        Assert.Equal([IPAddress.Parse(DnsLab.ExampleAddress)], marked.Addresses);
        Assert.True(unmarked.Outcome == BootstrapOutcome.Failed, $"an unmarked lookup must not get out; got {unmarked.Outcome}: {unmarked.Detail}");
    }

    [Fact]
    public async Task A_name_the_resolver_does_not_know_is_no_such_name()
    {
        await using var lab = await DnsLab.CreateAsync();
        var resolver = new BootstrapResolver(TimeSpan.FromSeconds(1), lab.RouterSockets);

        var result = await resolver.ResolveAsync("vpn.nx.test", AddressFamily.InterNetwork, [DnsLab.Resolver], BootstrapMark, TestContext.Current.CancellationToken);

        Assert.True(result.Outcome == BootstrapOutcome.NoSuchName, $"got {result.Outcome}: {result.Detail}");
        Assert.Empty(result.Addresses);
    }
}
