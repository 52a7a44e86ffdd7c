using System.Net;
using Galaxy.Agent.Routing.Rules;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Routing;

/// <summary>
/// The real GeoIP data that <c>./build.sh setup</c> installs (artifacts/data): the CC0 country database read
/// through the same lookup the agent uses, and world-countries' coordinates. Only lookups: no traffic.
/// </summary>
public sealed class GeoDataTests
{
    private static readonly string DataDirectory = Path.Combine(Artifacts.RepositoryRoot, "artifacts", "data");

    [Fact]
    public async Task The_installed_country_database_answers_as_libmaxminddb_does()
    {
        var path = Require(Path.Combine(DataDirectory, "geo-whois-asn-country-mmdb", "geo-whois-asn-country.mmdb"));
        using var geo = MaxMindCountryLookup.Open(path);

        // One address in every other routable /8 and a few IPv6 ones, against the C library's own lookup tool.
        var addresses = Enumerable.Range(0, 111).Select(i => $"{1 + (2 * i)}.{(i * 37) % 256}.1.1")
            .Concat(["10.1.1.1", "127.0.0.1", "2a00:1450::1", "2600::1", "2001:200::1"]);
        var placed = 0;
        foreach (var address in addresses)
        {
            var ours = geo.CountryOf(IPAddress.Parse(address));
            var theirs = await MmdbLookupAsync(path, address);
            Assert.True(ours == theirs, $"{address}: Galaxy says {ours ?? "(none)"}, mmdblookup says {theirs ?? "(none)"}");
            placed += ours is null ? 0 : 1;
        }

        Assert.True(placed > 80, $"expected most sampled addresses to have a country; {placed} did");
        Assert.Null(geo.CountryOf(IPAddress.Parse("10.1.1.1")));
        Assert.Null(geo.CountryOf(IPAddress.Parse("127.0.0.1")));
    }

    [Fact]
    public void The_installed_world_countries_give_every_country_its_coordinates()
    {
        var coordinates = WorldCountries.Load(Require(Path.Combine(DataDirectory, "world-countries", "countries.json")));
        Assert.True(coordinates.Count > 240, $"expected about 250 countries; read {coordinates.Count}");
        var us = coordinates.CoordinatesOf("US");
        var gb = coordinates.CoordinatesOf("GB");
        Assert.True(us is { Latitude: > 30 and < 45, Longitude: > -110 and < -80 }, $"US at {us}");
        Assert.True(gb is { Latitude: > 50 and < 60, Longitude: > -5 and < 2 }, $"GB at {gb}");
    }

    /// <summary>The country_code libmaxminddb's <c>mmdblookup</c> finds for <paramref name="address"/>, or null.</summary>
    private static async Task<string?> MmdbLookupAsync(string database, string address)
    {
        var result = await LabCommand.RunAsync(["mmdblookup", "--file", database, "--ip", address, "country_code"], cancellationToken: TestContext.Current.CancellationToken);
        var match = System.Text.RegularExpressions.Regex.Match(result.StandardOutput, "\"([A-Z]{2})\"");
        return result.ExitCode == 0 && match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>The file, or a skip (a failure where CI requires the full environment) when setup did not install it.</summary>
    private static string Require(string path)
    {
        if (File.Exists(path))
        {
            return path;
        }

        var message = $"{path} is missing: ./build.sh setup installs it";
        if (Environment.GetEnvironmentVariable(LabPrerequisites.RequireVariable) == "1")
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
        return path;
    }
}
