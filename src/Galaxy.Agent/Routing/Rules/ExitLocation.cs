namespace Galaxy.Agent.Routing.Rules;

/// <summary>Where an egress leaves the internet: a country (ISO alpha-2), coordinates, or both.</summary>
internal sealed record ExitLocation(string? Country, GeoPoint? Point)
{
    public static ExitLocation InCountry(string country) => new(country.ToUpperInvariant(), null);

    public static ExitLocation At(double latitude, double longitude) => new(null, new GeoPoint(latitude, longitude));

    /// <summary>The coordinates, from the point or else the country's coordinates.</summary>
    public GeoPoint? Resolve(ICountryCoordinates coordinates) =>
        Point ?? (Country is null ? null : coordinates.CoordinatesOf(Country));
}

/// <summary>A country's representative coordinates (its centre, or its main city).</summary>
internal interface ICountryCoordinates
{
    GeoPoint? CoordinatesOf(string country);
}
