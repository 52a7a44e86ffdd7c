using System.Text;
using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Tests.Routing.Rules;

public sealed class WorldCountriesTests
{
    [Fact]
    public void Each_country_keeps_its_code_and_coordinates_and_the_rest_is_skipped()
    {
        var json = """
            [
              {"name": {"common": "United States", "native": {"eng": {"official": "x"}}}, "cca2": "US", "latlng": [38, -97], "borders": ["CAN", "MEX"]},
              {"cca2": "GB", "capital": ["London"], "latlng": [54.0, -2.0]},
              {"cca2": "AQ"},
              {"latlng": [1, 2]}
            ]
            """;

        var points = WorldCountries.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(2, points.Count);
        Assert.Equal(new GeoPoint(38, -97), points["US"]);
        Assert.Equal(new GeoPoint(54, -2), points["gb"]);
    }

    [Fact]
    public void A_file_that_is_not_a_list_of_countries_is_refused_with_its_path()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "{\"cca2\": \"US\"}");
            var e = Assert.Throws<InvalidOperationException>(() => WorldCountries.Load(path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
