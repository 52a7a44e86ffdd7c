using System.Net;
using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Tests.Routing.Rules;

public sealed class MaxMindCountryLookupTests
{
    private static MaxMindCountryLookup Fixture() => MaxMindCountryLookup.Open(new MemoryStream(MmdbFixtureWriter.Write(
        ("203.0.113.0/25", "US"),
        ("203.0.113.128/25", "DE"),
        ("198.51.100.0/24", "GB"),
        ("2001:db8:1::/48", "JP"),
        ("2001:db8:2::/47", "SE"))));

    [Theory]
    [InlineData("203.0.113.1", "US")]
    [InlineData("203.0.113.127", "US")]
    [InlineData("203.0.113.128", "DE")]
    [InlineData("203.0.113.255", "DE")]
    [InlineData("198.51.100.77", "GB")]
    [InlineData("::ffff:198.51.100.77", "GB")]
    [InlineData("2001:db8:1:ffff::1", "JP")]
    [InlineData("2001:db8:3::1", "SE")]
    [InlineData("192.0.2.1", null)]
    [InlineData("2001:db8:4::1", null)]
    public void The_fixture_database_answers_each_networks_country(string address, string? expected)
    {
        using var geo = Fixture();
        var seen = geo.CountryOf(IPAddress.Parse(address));
        Assert.True(seen == expected, $"expected {address} in {expected ?? "(none)"}, saw {seen ?? "(none)"}");
    }

    [Fact]
    public void The_database_type_comes_from_the_metadata()
    {
        using var geo = Fixture();
        Assert.Equal("Galaxy-Test-Country", geo.DatabaseType);
    }

    [Fact]
    public void Country_rules_route_by_the_fixture_database()
    {
        using var geo = Fixture();
        var table = RouteTable.Compile(
            [new RouteRule { Name = "germany", Action = RouteAction.Egress("fra"), Countries = ["DE"] }],
            "all",
            geo);
        var decision = table.Decide(new FlowQuery(IPAddress.Parse("192.0.2.10"), "lan0", IPAddress.Parse("203.0.113.200"), 443, RouteProtocol.Tcp));
        Assert.True(decision.Target == "fra" && decision.Country == "DE", $"expected egress fra for a German address, saw {decision} ({decision.Why})");
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_with_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"galaxy-not-mmdb-{Guid.NewGuid():N}.mmdb");
        File.WriteAllText(path, "not a database");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => MaxMindCountryLookup.Open(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_flat_layout_of_ip_location_db_is_read_too()
    {
        using var geo = MaxMindCountryLookup.Open(new MemoryStream(MmdbFixtureWriter.Write(flat: true, ("203.0.113.0/25", "US"), ("203.0.113.128/25", "GB"))));
        Assert.Equal("US", geo.CountryOf(IPAddress.Parse("203.0.113.10")));
        Assert.Equal("GB", geo.CountryOf(IPAddress.Parse("203.0.113.140")));
        Assert.Null(geo.CountryOf(IPAddress.Parse("192.0.2.1")));
    }
}
