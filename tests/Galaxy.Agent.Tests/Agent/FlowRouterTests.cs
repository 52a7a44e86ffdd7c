using System.Net;
using Galaxy.Agent.Agent;
using Galaxy.Agent.Config;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Routing.Policy;
using Galaxy.Agent.Routing.Rules;
using Galaxy.Agent.Tests.Routing.Rules;

namespace Galaxy.Agent.Tests.Agent;

public sealed class FlowRouterTests : IDisposable
{
    private const string Egresses = """
        [router]
        lan = ["lan0"]
        wan = "wan0"

        [[egress]]
        name = "nyc"
        type = "socks5"
        address = "192.0.2.10:1080"
        exit = "US"

        [[egress]]
        name = "lon"
        type = "socks5"
        address = "192.0.2.11:1080"
        exit = "GB"

        [[egress]]
        name = "out"
        type = "direct"

        """;

    private static readonly IPEndPoint Client = IPEndPoint.Parse("198.51.100.2:40000");
    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-router-").FullName;
    private readonly FlowRegistry _flows = new();
    private readonly Galaxy.Agent.Dns.DnsNameMemory _names = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Unmatched_flows_fail_over_between_the_non_direct_egresses_and_never_take_direct()
    {
        var (router, egresses) = Router(Egresses);
        Up(egresses, "nyc", "lon", "out");
        Assert.Equal("nyc", Route(router, "203.0.113.10:80").Dialer?.Name);

        egresses["nyc"].SetUp(false);
        Assert.Equal("lon", Route(router, "203.0.113.10:80").Dialer?.Name);

        egresses["lon"].SetUp(false);
        var refused = Route(router, "203.0.113.10:80");
        Assert.True(refused.Dialer is null, $"with every tunnel down the flow must be refused, not sent out of {refused.Dialer?.Name}");
        Assert.Equal("default", refused.Rule);
    }

    [Fact]
    public void With_only_a_direct_egress_unmatched_flows_are_refused_unless_it_is_named_the_default()
    {
        const string DirectOnly = """
            [router]
            lan = ["lan0"]
            wan = "wan0"

            [[egress]]
            name = "out"
            type = "direct"

            """;
        var (router, egresses) = Router(DirectOnly);
        Up(egresses, "out");
        Assert.Null(Route(router, "203.0.113.10:80").Dialer);
        Assert.Contains("has no member", router.Explain(Client.Address, IPAddress.Parse("203.0.113.10"), 80, RouteProtocol.Tcp, null).Why, StringComparison.Ordinal);

        var (named, namedEgresses) = Router(DirectOnly + "[routing]\ndefault = \"out\"\n");
        Up(namedEgresses, "out");
        Assert.Equal("out", Route(named, "203.0.113.10:80").Dialer?.Name);
    }

    [Fact]
    public void A_rule_naming_an_egress_that_is_down_refuses_the_flow_and_says_which_rule()
    {
        var (router, egresses) = Router(Egresses + """
            [[rule]]
            name = "mail"
            port = 25
            to = "lon"

            [[rule]]
            name = "no-telnet"
            port = 23
            to = "reject"
            """);
        Up(egresses, "nyc");

        var mail = Route(router, "203.0.113.10:25");
        Assert.Null(mail.Dialer);
        Assert.Equal("mail", mail.Rule);
        Assert.Contains("is down", router.Explain(Client.Address, IPAddress.Parse("203.0.113.10"), 25, RouteProtocol.Tcp, null).Why, StringComparison.Ordinal);

        var telnet = Route(router, "203.0.113.10:23");
        Assert.True(telnet.Dialer is BlockDialer { Name: "reject" }, $"expected the reject dialer; saw {telnet.Dialer?.Name ?? "none"}");
        Assert.Equal("nyc", Route(router, "203.0.113.10:80").Dialer?.Name);
    }

    [Fact]
    public void A_domain_rule_matches_the_sniffed_name_or_else_the_names_the_resolver_gave_for_the_address()
    {
        var (router, egresses) = Router(Egresses + """
            [[rule]]
            name = "video"
            domain = [".video.test"]
            to = "lon"
            """);
        Up(egresses, "nyc", "lon");

        Assert.Equal("lon", Route(router, "203.0.113.20:443", "cdn.video.test").Dialer?.Name);
        Assert.Equal("nyc", Route(router, "203.0.113.20:443").Dialer?.Name);

        _names.Remember(IPAddress.Parse("203.0.113.20"), "www.other.test", TimeSpan.FromMinutes(5));
        _names.Remember(IPAddress.Parse("203.0.113.20"), "edge.video.test", TimeSpan.FromMinutes(5));
        var remembered = Route(router, "203.0.113.20:443");
        Assert.Equal(("lon", "video"), (remembered.Dialer?.Name, remembered.Rule));
    }

    [Fact]
    public void A_nearest_group_sends_each_destination_to_the_egress_in_its_country_and_refuses_when_none_is_up()
    {
        File.WriteAllBytes(Path.Combine(_folder, "geo.mmdb"), MmdbFixtureWriter.Write(("203.0.113.0/25", "US"), ("203.0.113.128/25", "GB")));
        var (router, egresses) = Router(Egresses + """
            [routing]
            geoip = "geo.mmdb"
            default = "near"

            [[group]]
            name = "near"
            strategy = "nearest"
            members = ["nyc", "lon"]
            """);
        Up(egresses, "nyc", "lon");

        Assert.Equal("nyc", Route(router, "203.0.113.10:80").Dialer?.Name);
        Assert.Equal("lon", Route(router, "203.0.113.140:80").Dialer?.Name);
        var explained = router.Explain(Client.Address, IPAddress.Parse("203.0.113.140"), 80, RouteProtocol.Tcp, null);
        Assert.Contains("exits in GB", explained.Text(), StringComparison.Ordinal);

        egresses["lon"].SetUp(false);
        Assert.Equal("nyc", Route(router, "203.0.113.140:80").Dialer?.Name);
        egresses["nyc"].SetUp(false);
        Assert.Null(Route(router, "203.0.113.140:80").Dialer);
    }

    [Fact]
    public void A_rule_matching_the_lan_interface_uses_the_network_the_client_sits_in()
    {
        var (router, egresses) = Router(Egresses + """
            [[rule]]
            lan = ["lan0"]
            to = "lon"
            """);
        Up(egresses, "nyc", "lon");
        Assert.Equal("nyc", Route(router, "203.0.113.10:80").Dialer?.Name);

        router.SetLanNetworks([(IPNetwork.Parse("198.51.100.0/24"), "lan0")]);
        Assert.Equal("lon", Route(router, "203.0.113.10:80").Dialer?.Name);
    }

    [Fact]
    public void The_agents_own_dns_goes_through_the_default_and_so_never_through_an_unnamed_direct_egress()
    {
        var (router, egresses) = Router(Egresses);
        Up(egresses, "nyc", "lon", "out");
        Assert.Equal("nyc", router.FirstUpDefaultEgress()?.Name);

        egresses["nyc"].SetUp(false);
        egresses["lon"].SetUp(false);
        Assert.True(router.FirstUpDefaultEgress() is null, "with every tunnel down, DNS must not fall back to the direct egress nobody named");

        var (named, namedEgresses) = Router(Egresses + "[routing]\ndefault = \"out\"\n");
        Up(namedEgresses, "out");
        Assert.Equal("out", named.FirstUpDefaultEgress()?.Name);
    }

    [Fact]
    public void A_swapped_plan_decides_new_flows()
    {
        var (router, egresses) = Router(Egresses);
        Up(egresses, "nyc", "lon");
        Assert.Equal("nyc", Route(router, "203.0.113.10:80").Dialer?.Name);

        var reloaded = Load(Egresses + "[routing]\ndefault = \"lon\"\n");
        router.Swap(RoutingPlan.Build(reloaded.Routing, reloaded.Egresses, null, CountryCoordinates.BuiltIn, TimeProvider.System));
        Assert.Equal("lon", Route(router, "203.0.113.10:80").Dialer?.Name);
    }

    [Fact]
    public void Least_connections_counts_the_flows_the_registry_holds_per_egress()
    {
        var (router, egresses) = Router(Egresses + """
            [routing]
            default = "spread"

            [[group]]
            name = "spread"
            strategy = "least-connections"
            members = ["nyc", "lon"]
            """);
        Up(egresses, "nyc", "lon");
        var held = _flows.Begin(FlowProtocol.Tcp, Client, IPEndPoint.Parse("203.0.113.10:80"), "nyc");
        Assert.Equal(1, router.Connections("nyc"));
        Assert.Equal("lon", Route(router, "203.0.113.10:80").Dialer?.Name);

        _flows.End(held);
        Assert.Equal(0, router.Connections("nyc"));
        Assert.Equal("nyc", Route(router, "203.0.113.10:80").Dialer?.Name);
    }

    private static FlowRoute Route(FlowRouter router, string destination, string? domain = null) =>
        router.RouteTcp(Client, IPEndPoint.Parse(destination), domain);

    private static void Up(Dictionary<string, EgressRuntime> egresses, params string[] names)
    {
        foreach (var name in names)
        {
            egresses[name].SetUp(true);
        }
    }

    private (FlowRouter Router, Dictionary<string, EgressRuntime> Egresses) Router(string text)
    {
        var config = Load(text);
        var runtimes = config.Egresses.Select((e, i) => new EgressRuntime(e, new EgressSlot(i), BlockDialer.Reject(e.Name), null)).ToList();
        var geoip = config.Routing.GeoIpDatabase is { } path ? MaxMindCountryLookup.Open(path) : null;
        var plan = RoutingPlan.Build(config.Routing, config.Egresses, geoip, CountryCoordinates.BuiltIn, TimeProvider.System);
        return (new FlowRouter(plan, runtimes, _flows, _names), runtimes.ToDictionary(r => r.Name));
    }

    private GalaxyConfig Load(string text)
    {
        var path = Path.Combine(_folder, "galaxy.toml");
        File.WriteAllText(path, text);
        return ConfigLoader.LoadFile(path);
    }
}
