using System.Collections.Immutable;
using System.Globalization;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// The healthy member whose exit is closest (great-circle distance) to the destination's GeoIP location:
/// no rule per country needed. A member exiting in the destination's own country wins outright; members
/// without a known location rank after every located one; a destination of unknown location goes to the
/// first healthy member in order.
/// </summary>
internal sealed class NearestGroup : EgressGroup
{
    private readonly ExitLocation?[] _exits;
    private readonly GeoPoint?[] _points;
    private readonly ICountryLookup _countries;
    private readonly ICountryCoordinates _coordinates;

    public NearestGroup(string name, IEnumerable<KeyValuePair<string, ExitLocation?>> members, ICountryLookup countries, ICountryCoordinates coordinates)
        : this(name, [.. members], countries, coordinates)
    {
    }

    private NearestGroup(string name, ImmutableArray<KeyValuePair<string, ExitLocation?>> members, ICountryLookup countries, ICountryCoordinates coordinates)
        : base(name, members.Select(m => m.Key))
    {
        ArgumentNullException.ThrowIfNull(countries);
        ArgumentNullException.ThrowIfNull(coordinates);
        _countries = countries;
        _coordinates = coordinates;
        _exits = [.. members.Select(m => m.Value)];
        _points = [.. _exits.Select(e => e?.Resolve(coordinates))];
    }

    public override string Strategy => "nearest";

    public override GroupChoice Choose(in FlowQuery flow, IEgressHealth health)
    {
        var country = _countries.CountryOf(flow.Destination);
        var target = country is null ? null : _coordinates.CoordinatesOf(country);
        var best = -1;
        var bestDistance = double.PositiveInfinity;
        var firstUp = -1;
        for (var i = 0; i < Members.Length; i++)
        {
            if (!health.IsUp(Members[i]))
            {
                continue;
            }

            if (firstUp < 0)
            {
                firstUp = i;
            }

            if (country is not null && string.Equals(_exits[i]?.Country, country, StringComparison.OrdinalIgnoreCase))
            {
                return new GroupChoice(Members[i], $"nearest: '{Members[i]}' exits in {country}, the destination's country");
            }

            if (target is { } t && _points[i] is { } p)
            {
                var distance = p.DistanceKm(t);
                if (distance < bestDistance)
                {
                    best = i;
                    bestDistance = distance;
                }
            }
        }

        if (firstUp < 0)
        {
            return GroupChoice.Refuse(Name);
        }

        if (best < 0)
        {
            var why = country is null ? "the destination's country is unknown" : $"no coordinates for {country} or for the members";
            return new GroupChoice(Members[firstUp], $"nearest: {why}; '{Members[firstUp]}' is the first healthy member");
        }

        return new GroupChoice(Members[best], string.Create(CultureInfo.InvariantCulture,
            $"nearest: '{Members[best]}' exits {bestDistance:0} km from the destination's country {country}, the closest healthy member"));
    }
}
