using System.Net;
using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Tests.Routing.Rules;

/// <summary>A GeoIP stand-in: a few networks and their countries.</summary>
internal sealed class TableCountryLookup(params (string Network, string Country)[] entries) : ICountryLookup
{
    private readonly (IPNetwork Network, string Country)[] _entries = [.. entries.Select(e => (IPNetwork.Parse(e.Network), e.Country))];

    public int Lookups { get; private set; }

    public string? CountryOf(IPAddress address)
    {
        Lookups++;
        foreach (var (network, country) in _entries)
        {
            if (network.Contains(address))
            {
                return country;
            }
        }

        return null;
    }
}
