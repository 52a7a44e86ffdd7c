using System.Net;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>GeoIP: the ISO 3166-1 alpha-2 country of an address, or null when unknown.</summary>
/// <remarks>Implementations should return the same string instance for the same country (no allocation per lookup).</remarks>
internal interface ICountryLookup
{
    string? CountryOf(IPAddress address);
}
