using System.Net;
using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Tests.Routing.Rules;

public sealed class EgressGroupTests
{
    private static FlowQuery Flow(string destination = "203.0.113.5", string source = "192.0.2.10") =>
        new(IPAddress.Parse(source), "lan0", IPAddress.Parse(destination), 443, RouteProtocol.Tcp);

    private static void AssertChoice(EgressGroup group, IEgressHealth health, string? expected, FlowQuery? flow = null)
    {
        var choice = group.Choose(flow ?? Flow(), health);
        Assert.True(choice.Egress == expected, $"expected {group.Strategy} group to choose '{expected ?? "(refuse)"}', saw '{choice.Egress ?? "(refuse)"}': {choice.Why}");
    }

    [Fact]
    public void Every_strategy_refuses_when_no_member_is_healthy()
    {
        var health = new FakeEgressHealth().Down("a", "b");
        var geo = new TableCountryLookup(("203.0.113.0/24", "US"));
        EgressGroup[] groups =
        [
            new FailoverGroup("g", ["a", "b"], TimeSpan.FromSeconds(30), new ManualTimeProvider()),
            new RoundRobinGroup("g", ["a", "b"]),
            new LeastConnectionsGroup("g", ["a", "b"]),
            new ConsistentHashGroup("g", ["a", "b"], HashKey.Destination),
            new LowestLatencyGroup("g", ["a", "b"], TimeSpan.FromMilliseconds(10)),
            new NearestGroup("g", [new("a", ExitLocation.InCountry("US")), new("b", ExitLocation.InCountry("GB"))], geo, CountryCoordinates.BuiltIn),
        ];
        foreach (var group in groups)
        {
            var choice = group.Choose(Flow(), health);
            Assert.True(choice.IsRefused && choice.Why.Contains("no healthy member", StringComparison.Ordinal),
                $"expected {group.Strategy} to refuse, saw '{choice.Egress}': {choice.Why}");
        }
    }

    [Fact]
    public void Failover_takes_the_first_healthy_member_in_order()
    {
        var health = new FakeEgressHealth();
        var group = new FailoverGroup("g", ["nyc", "lon", "fra"], TimeSpan.FromSeconds(30), new ManualTimeProvider());
        AssertChoice(group, health, "nyc");
        AssertChoice(group, health.Down("nyc"), "lon");
        AssertChoice(group, health.Down("lon"), "fra");
    }

    [Fact]
    public void Failover_gives_traffic_back_only_after_the_member_stayed_up_for_the_hold_down()
    {
        var time = new ManualTimeProvider();
        var health = new FakeEgressHealth();
        var group = new FailoverGroup("g", ["nyc", "lon"], TimeSpan.FromSeconds(30), time);
        AssertChoice(group, health, "nyc");
        AssertChoice(group, health.Down("nyc"), "lon");
        AssertChoice(group, health.Up("nyc"), "lon");
        time.Advance(TimeSpan.FromSeconds(29));
        AssertChoice(group, health, "lon");
        time.Advance(TimeSpan.FromSeconds(1));
        AssertChoice(group, health, "nyc");
    }

    [Fact]
    public void Failover_restarts_the_hold_down_when_the_member_flaps()
    {
        var time = new ManualTimeProvider();
        var health = new FakeEgressHealth();
        var group = new FailoverGroup("g", ["nyc", "lon"], TimeSpan.FromSeconds(30), time);
        group.Observe(health.Down("nyc"));
        group.Observe(health.Up("nyc"));
        time.Advance(TimeSpan.FromSeconds(20));
        group.Observe(health.Down("nyc"));
        group.Observe(health.Up("nyc"));
        time.Advance(TimeSpan.FromSeconds(20));
        AssertChoice(group, health, "lon");
        time.Advance(TimeSpan.FromSeconds(10));
        AssertChoice(group, health, "nyc");
    }

    [Fact]
    public void Failover_uses_a_recovering_member_rather_than_refusing_when_it_is_the_only_one_up()
    {
        var time = new ManualTimeProvider();
        var health = new FakeEgressHealth();
        var group = new FailoverGroup("g", ["nyc", "lon"], TimeSpan.FromSeconds(30), time);
        AssertChoice(group, health.Down("nyc", "lon"), null);
        var choice = group.Choose(Flow(), health.Up("nyc"));
        Assert.True(choice.Egress == "nyc" && choice.Why.Contains("recovering", StringComparison.Ordinal), $"expected the recovering nyc, saw {choice}");
    }

    [Fact]
    public void Round_robin_cycles_over_the_healthy_members()
    {
        var health = new FakeEgressHealth();
        var group = new RoundRobinGroup("g", ["a", "b", "c"]);
        var seen = Enumerable.Range(0, 6).Select(_ => group.Choose(Flow(), health).Egress).ToArray();
        Assert.True(seen.SequenceEqual(["a", "b", "c", "a", "b", "c"]), $"expected a b c a b c, saw {string.Join(' ', seen)}");
        health.Down("b");
        var without = Enumerable.Range(0, 6).Select(_ => group.Choose(Flow(), health).Egress).ToArray();
        Assert.True(!without.Contains("b") && without.Count(e => e == "a") >= 2 && without.Count(e => e == "c") >= 2,
            $"expected only a and c, each at least twice, saw {string.Join(' ', without)}");
    }

    [Fact]
    public void Least_connections_takes_the_least_loaded_healthy_member()
    {
        var health = new FakeEgressHealth().WithConnections("a", 10).WithConnections("b", 3).WithConnections("c", 1);
        var group = new LeastConnectionsGroup("g", ["a", "b", "c"]);
        AssertChoice(group, health, "c");
        AssertChoice(group, health.Down("c"), "b");
        AssertChoice(group, health.WithConnections("a", 3), "a");
    }

    [Fact]
    public void Consistent_hash_keeps_a_site_on_one_exit_and_moves_only_the_failed_members_share()
    {
        var health = new FakeEgressHealth();
        var group = new ConsistentHashGroup("g", ["a", "b", "c", "d"], HashKey.Destination);
        var sites = Enumerable.Range(0, 400).Select(i => Flow($"203.0.{113 + i / 256}.{i % 256}")).ToArray();
        var first = sites.Select(s => group.Choose(s, health).Egress).ToArray();
        var again = sites.Select(s => group.Choose(s, health).Egress).ToArray();
        Assert.True(first.SequenceEqual(again), "expected every site to keep its exit while the members are stable");
        var counts = first.GroupBy(e => e).ToDictionary(g => g.Key!, g => g.Count());
        Assert.True(counts.Count == 4 && counts.Values.All(c => c > 50), $"expected the sites spread over all four members, saw {string.Join(", ", counts)}");

        health.Down("b");
        var after = sites.Select(s => group.Choose(s, health).Egress).ToArray();
        for (var i = 0; i < sites.Length; i++)
        {
            var ok = first[i] == "b" ? after[i] != "b" : after[i] == first[i];
            Assert.True(ok, $"site {sites[i].Destination}: was on '{first[i]}', after b failed went to '{after[i]}'");
        }

        health.Up("b");
        var back = sites.Select(s => group.Choose(s, health).Egress).ToArray();
        Assert.True(first.SequenceEqual(back), "expected every site back on its original exit once b returned");
    }

    [Fact]
    public void Consistent_hash_by_source_ignores_the_destination()
    {
        var health = new FakeEgressHealth();
        var group = new ConsistentHashGroup("g", ["a", "b", "c"], HashKey.Source);
        var exits = Enumerable.Range(1, 50).Select(i => group.Choose(Flow($"198.51.100.{i}", source: "2001:db8::42"), health).Egress).Distinct().ToArray();
        Assert.True(exits.Length == 1, $"expected one exit for one client, saw {string.Join(", ", exits)}");
        Assert.Equal(exits[0], group.Preferred(IPAddress.Parse("2001:db8::42")));
    }

    [Fact]
    public void Lowest_latency_picks_the_fastest_and_stays_within_the_absolute_tolerance()
    {
        var health = new FakeEgressHealth().WithLatency("a", 50).WithLatency("b", 40);
        var group = new LowestLatencyGroup("g", ["a", "b"], TimeSpan.FromMilliseconds(10), 0.2);
        AssertChoice(group, health, "b");
        AssertChoice(group, health.WithLatency("a", 35).WithLatency("b", 42), "b"); // 7 ms better: within 10 ms
        AssertChoice(group, health.WithLatency("a", 30).WithLatency("b", 45), "a"); // 15 ms better than max(10 ms, 20 % of 45 ms)
    }

    [Fact]
    public void Lowest_latency_switches_when_another_member_is_faster_by_more_than_the_tolerance()
    {
        var health = new FakeEgressHealth().WithLatency("a", 50).WithLatency("b", 40);
        var group = new LowestLatencyGroup("g", ["a", "b"], TimeSpan.FromMilliseconds(10), 0.5);
        AssertChoice(group, health, "b");
        AssertChoice(group, health.WithLatency("a", 35).WithLatency("b", 60), "b"); // 25 ms better, within max(10 ms, 50 % of 60 ms)
        AssertChoice(group, health.WithLatency("a", 20).WithLatency("b", 60), "a"); // 40 ms better: switch
    }

    [Fact]
    public void Lowest_latency_leaves_a_failed_member_at_once_and_uses_unmeasured_members_only_as_a_last_resort()
    {
        var health = new FakeEgressHealth().WithLatency("b", 80).WithLatency("c", 81);
        var group = new LowestLatencyGroup("g", ["a", "b", "c"], TimeSpan.FromMilliseconds(10));
        AssertChoice(group, health, "b");
        AssertChoice(group, health.Down("b"), "c");
        AssertChoice(group, health.Down("c"), "a");
    }

    [Fact]
    public void Nearest_picks_the_member_exiting_closest_to_the_destination()
    {
        var geo = new TableCountryLookup(("203.0.113.0/25", "US"), ("203.0.113.128/25", "DE"), ("198.51.100.0/24", "JP"));
        var group = new NearestGroup(
            "g",
            [new("nyc", ExitLocation.At(40.7, -74.0)), new("lon", ExitLocation.InCountry("GB")), new("sgp", ExitLocation.InCountry("SG")), new("nowhere", null)],
            geo,
            CountryCoordinates.BuiltIn);
        var health = new FakeEgressHealth();
        AssertChoice(group, health, "nyc", Flow("203.0.113.5"));
        AssertChoice(group, health, "lon", Flow("203.0.113.200"));
        AssertChoice(group, health, "sgp", Flow("198.51.100.1"));
        AssertChoice(group, health, "nyc", Flow("192.0.2.1")); // unknown country: the first healthy member
        AssertChoice(group, health.Down("lon"), "nyc", Flow("203.0.113.200")); // Germany: New York is closer than Singapore
        AssertChoice(group, health.Down("nyc", "sgp"), "nowhere", Flow("203.0.113.5"));
    }

    [Fact]
    public void Nearest_prefers_a_member_in_the_destinations_own_country()
    {
        var geo = new TableCountryLookup(("203.0.113.0/24", "US"));
        var group = new NearestGroup("g", [new("lon", ExitLocation.InCountry("GB")), new("us-west", ExitLocation.InCountry("us"))], geo, CountryCoordinates.BuiltIn);
        var choice = group.Choose(Flow("203.0.113.9"), new FakeEgressHealth());
        Assert.True(choice.Egress == "us-west" && choice.Why.Contains("exits in US", StringComparison.Ordinal), $"expected us-west by country, saw {choice}");
    }

    [Fact]
    public void Great_circle_distance_matches_known_city_pairs()
    {
        var london = new GeoPoint(51.5074, -0.1278);
        var newYork = new GeoPoint(40.7128, -74.0060);
        var distance = london.DistanceKm(newYork);
        Assert.True(Math.Abs(distance - 5570) < 20, $"expected London-New York about 5570 km, saw {distance:0}");
        Assert.True(london.DistanceKm(london) < 1e-9, "expected zero distance to itself");
    }

    [Fact]
    public void A_group_names_each_member_once()
    {
        var error = Assert.Throws<ArgumentException>(() => new RoundRobinGroup("g", ["a", "a"]));
        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }
}
