using System.Collections.Frozen;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// Country coordinates from a table. <see cref="BuiltIn"/> holds a handful of countries (approximate
/// centres) for tests and as a fall-back; the full table comes from the world-countries data later.
/// </summary>
internal sealed class CountryCoordinates : ICountryCoordinates
{
    private readonly FrozenDictionary<string, GeoPoint> _points;

    public CountryCoordinates(IEnumerable<KeyValuePair<string, GeoPoint>> points)
    {
        _points = points.ToFrozenDictionary(p => p.Key.ToUpperInvariant(), p => p.Value, StringComparer.OrdinalIgnoreCase);
    }

    public static CountryCoordinates BuiltIn { get; } = new(new Dictionary<string, GeoPoint>
    {
        ["US"] = new(38, -97),
        ["CA"] = new(60, -95),
        ["BR"] = new(-10, -55),
        ["GB"] = new(54, -2),
        ["DE"] = new(51, 9),
        ["FR"] = new(46, 2),
        ["NL"] = new(52.5, 5.75),
        ["SE"] = new(62, 15),
        ["JP"] = new(36, 138),
        ["SG"] = new(1.37, 103.8),
        ["AU"] = new(-27, 133),
        ["ZA"] = new(-29, 24),
    });

    public int Count => _points.Count;

    public GeoPoint? CoordinatesOf(string country) =>
        _points.TryGetValue(country, out var point) ? point : null;
}
