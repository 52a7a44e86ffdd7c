using System.Net;
using Galaxy.Agent.Config;
using Galaxy.Agent.Routing.Rules;
using Galaxy.Agent.Tests.Routing.Rules;

namespace Galaxy.Agent.Tests.Config;

public sealed class RoutingConfigTests : IDisposable
{
    private const string Head = """
        [router]
        lan = ["lan0", "lan1"]
        wan = "wan0"

        [[egress]]
        name = "nyc"
        type = "socks5"
        address = "192.0.2.10:1080"
        exit = "us"

        [[egress]]
        name = "lon"
        type = "http"
        address = "192.0.2.11:3128"
        location = [51.5, -0.12]

        [[egress]]
        name = "out"
        type = "direct"

        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-routing-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Rules_groups_clients_and_exits_become_the_model()
    {
        WriteGeoIp();
        var config = Load(Head + """
            [routing]
            default = "vpns"
            geoip = "countries.mmdb"
            sniff-timeout-ms = 150

            [[client]]
            name = "work-vm"
            address = ["198.51.100.7", "2001:db8::7"]

            [[group]]
            name = "vpns"
            strategy = "failover"
            members = ["nyc", "lon"]
            hold-down = 10

            [[group]]
            name = "near"
            strategy = "nearest"
            members = ["nyc", "lon"]

            [[rule]]
            name = "work"
            client = ["work-vm"]
            src = ["198.51.100.64/26"]
            lan = "lan1"
            dst = ["203.0.113.0/24", "203.0.113.9"]
            port = [443, "8000-8100"]
            proto = "tcp"
            domain = [".example.test", "keyword:video"]
            to = "nyc"

            [[rule]]
            country = ["gb"]
            to = "near"

            [[rule]]
            port = 25
            to = "reject"
            """);

        Assert.Equal("US", config.Egresses[0].Exit?.Country);
        Assert.Equal(new GeoPoint(51.5, -0.12), config.Egresses[1].Exit?.Point);
        Assert.Null(config.Egresses[2].Exit);
        var routing = config.Routing;
        Assert.Equal("vpns", routing.Default);
        Assert.Equal(Path.Combine(_folder, "countries.mmdb"), routing.GeoIpDatabase);
        Assert.Equal(TimeSpan.FromMilliseconds(150), routing.SniffTimeout);
        Assert.Equal(["vpns:failover:nyc,lon", "near:nearest:nyc,lon"], routing.Groups.Select(g => $"{g.Name}:{g.Strategy}:{string.Join(',', g.Members)}"));
        Assert.Equal(TimeSpan.FromSeconds(10), routing.Groups[0].HoldDown);

        var work = routing.Rules[0];
        Assert.Equal("work", work.Name);
        Assert.Equal(40, work.Line);
        Assert.Equal(RouteAction.Egress("nyc"), work.Action);
        Assert.Equal(["198.51.100.64/26", "198.51.100.7/32", "2001:db8::7/128"], work.Sources.Select(s => s.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(["lan1"], work.LanInterfaces);
        Assert.Equal(["203.0.113.0/24", "203.0.113.9/32"], work.Destinations.Select(d => d.ToString()));
        Assert.Equal(["443", "8000-8100"], work.Ports.Select(p => p.ToString()));
        Assert.Equal(RouteProtocol.Tcp, work.Protocol);
        Assert.Equal([DomainMatchKind.Suffix, DomainMatchKind.Keyword], work.Domains.Select(d => d.Kind));
        Assert.True(routing.NeedsDomains);

        Assert.Equal("line-51", routing.Rules[1].Name);
        Assert.Equal(["GB"], routing.Rules[1].Countries);
        Assert.Equal(RouteAction.Group("near"), routing.Rules[1].Action);
        Assert.Equal(RouteAction.Reject, routing.Rules[2].Action);
    }

    [Fact]
    public void Without_routing_tables_the_defaults_apply()
    {
        var routing = Load(Head).Routing;
        Assert.Null(routing.Default);
        Assert.Empty(routing.Rules);
        Assert.Empty(routing.Groups);
        Assert.Null(routing.GeoIpDatabase);
        Assert.False(routing.NeedsDomains);
    }

    [Fact]
    public void Every_routing_error_is_reported_at_once_with_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Head + """
            [routing]
            default = "nowhere"
            geoip = "missing.mmdb"

            [[group]]
            name = "nyc"
            strategy = "fastest"
            members = ["lon", "mars", "lon"]

            [[group]]
            name = "near"
            strategy = "nearest"
            members = ["out"]
            hash = "source"

            [[group]]
            name = "quick"
            strategy = "lowest-latency"
            members = ["nyc"]

            [[rule]]
            dst = ["203.0.113.5/24", "not-an-address"]
            port = ["99999"]
            proto = "icmp"
            lan = ["eth9"]
            client = ["ghost"]
            country = ["USA"]
            to = "moon"

            [[rule]]
            name = "twice"
            to = "drop"

            [[rule]]
            name = "twice"
            to = "reject"
            colour = "blue"
            """));

        var lines = e.Errors.Select(r => (r.Line, r.Message)).ToList();
        string Describe() => string.Join("\n", lines.Select(l => $"{l.Line}: {l.Message}"));
        void Has(int line, string text) =>
            Assert.True(lines.Any(l => l.Line == line && l.Message.Contains(text, StringComparison.Ordinal)), $"expected line {line}: '{text}' among:\n{Describe()}");

        Has(21, "neither an egress nor a group");
        Has(22, "opening GeoIP database");
        Has(25, "group name 'nyc' is taken");
        Has(26, "unknown strategy 'fastest'");
        Has(27, "'mars' is not an egress");
        Has(27, "names 'lon' twice");
        Has(32, "declares no 'exit' or 'location'");
        Has(33, "'hash' applies to consistent-hash groups only");
        Has(35, "set 'probe'");
        Has(41, "'203.0.113.5/24' in 'dst' is not an address or a network");
        Has(41, "'not-an-address' in 'dst'");
        Has(42, "99999");
        Has(43, "'proto' is \"tcp\" or \"udp\"");
        Has(44, "'eth9' is not one of [router] lan");
        Has(45, "no [[client]] is named 'ghost'");
        Has(46, "'USA' is not a two-letter country code");
        Has(47, "'to' names 'moon'");
        Has(54, "rule 'twice' is already defined on line 49");
        Has(56, "unknown key 'colour'");
    }

    [Fact]
    public void Countries_and_nearest_groups_need_a_geoip_database()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Head + """
            [[group]]
            name = "near"
            strategy = "nearest"
            members = ["nyc", "lon"]

            [[rule]]
            country = ["US"]
            to = "nyc"
            """));

        Assert.Contains(e.Errors, r => r.Line == 22 && r.Message.Contains("nearest group: it needs a GeoIP database", StringComparison.Ordinal));
        Assert.Contains(e.Errors, r => r.Line == 26 && r.Message.Contains("needs a GeoIP database", StringComparison.Ordinal));
    }

    [Fact]
    public void A_group_named_default_takes_unmatched_flows_without_being_named()
    {
        var routing = Load(Head + """
            [[group]]
            name = "default"
            strategy = "round-robin"
            members = ["nyc", "lon"]
            """).Routing;
        Assert.Equal("default", routing.Default);
    }

    [Fact]
    public void Reloading_only_routing_needs_no_restart_but_egress_changes_do()
    {
        var running = Load(Head);
        var rulesOnly = Load(Head + """
            [[rule]]
            port = 25
            to = "drop"
            """);
        Assert.Empty(ConfigChanges.NeedingRestart(running, rulesOnly));

        var moved = Load(Head.Replace("192.0.2.10:1080", "192.0.2.12:1080", StringComparison.Ordinal).Replace("[\"lan0\", \"lan1\"]", "[\"lan0\"]", StringComparison.Ordinal));
        var changes = ConfigChanges.NeedingRestart(running, moved);
        Assert.Contains(changes, c => c.Contains("[router] changed", StringComparison.Ordinal));
        Assert.Contains(changes, c => c.Contains("'nyc' (socks5 socks5://192.0.2.10:1080/) was changed", StringComparison.Ordinal));
        Assert.Contains(changes, c => c.Contains("'nyc' (socks5 socks5://192.0.2.12:1080/) was added or changed", StringComparison.Ordinal));

        // Removing an egress needs no restart (the reload takes it down); reordering the rest does.
        var withoutLon = Load(Head.Replace("""
            [[egress]]
            name = "lon"
            type = "http"
            address = "192.0.2.11:3128"
            location = [51.5, -0.12]

            """, "", StringComparison.Ordinal));
        Assert.Empty(ConfigChanges.NeedingRestart(running, withoutLon));
        Assert.Equal(["lon"], ConfigChanges.Removed(running, withoutLon));
        Assert.Empty(ConfigChanges.Removed(running, rulesOnly));
    }

    private void WriteGeoIp() =>
        File.WriteAllBytes(Path.Combine(_folder, "countries.mmdb"), MmdbFixtureWriter.Write(("203.0.113.0/25", "US"), ("203.0.113.128/25", "GB")));

    private GalaxyConfig Load(string text)
    {
        var path = Path.Combine(_folder, "galaxy.toml");
        File.WriteAllText(path, text);
        return ConfigLoader.LoadFile(path);
    }
}
