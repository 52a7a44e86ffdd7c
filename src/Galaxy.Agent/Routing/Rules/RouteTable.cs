using System.Collections.Immutable;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// The rules compiled for deciding flows, first match wins; unmatched flows go to the default group.
/// Destination CIDRs live in a <see cref="PrefixIndex"/> per family, so with 10 000 CIDR rules a decision
/// looks only at the rules whose destination covers the address, merged in order with the rules that
/// name no destination. Immutable and thread-safe; <see cref="Decide"/> allocates nothing (the country
/// lookup is done at most once per decision, and only when a candidate rule names countries).
/// </summary>
internal sealed class RouteTable
{
    private readonly CompiledRule[] _compiled;
    private readonly PrefixIndex _v4;
    private readonly PrefixIndex _v6;
    private readonly int[] _anyDestination;
    private readonly ICountryLookup? _countries;

    private RouteTable(ImmutableArray<RouteRule> rules, string defaultGroup, ICountryLookup? countries)
    {
        Rules = rules;
        DefaultGroup = defaultGroup;
        _countries = countries;
        _compiled = new CompiledRule[rules.Length];
        var v4 = new List<(UInt128, UInt128, int)>();
        var v6 = new List<(UInt128, UInt128, int)>();
        var anyDestination = new List<int>();
        for (var i = 0; i < rules.Length; i++)
        {
            var rule = rules[i];
            _compiled[i] = new CompiledRule(rule);
            if (rule.Destinations.IsDefaultOrEmpty)
            {
                anyDestination.Add(i);
                continue;
            }

            foreach (var network in rule.Destinations)
            {
                var (isV6, first, last) = AddressKey.RangeOf(network);
                (isV6 ? v6 : v4).Add((first, last, i));
            }
        }

        _v4 = PrefixIndex.Build(v4);
        _v6 = PrefixIndex.Build(v6);
        _anyDestination = [.. anyDestination];
    }

    public ImmutableArray<RouteRule> Rules { get; }

    /// <summary>The group that takes every flow no rule matched.</summary>
    public string DefaultGroup { get; }

    /// <summary>Ranges in the IPv4 and IPv6 destination indexes (for the benchmark).</summary>
    public (int V4, int V6) IndexRanges => (_v4.RangeCount, _v6.RangeCount);

    /// <summary>Compiles <paramref name="rules"/> in order. <paramref name="countries"/> may be null when no rule names a country.</summary>
    public static RouteTable Compile(IEnumerable<RouteRule> rules, string defaultGroup, ICountryLookup? countries = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (string.IsNullOrWhiteSpace(defaultGroup))
        {
            throw new ArgumentException("the routing table needs a default group", nameof(defaultGroup));
        }

        var list = rules.ToImmutableArray();
        if (countries is null)
        {
            var geo = list.FirstOrDefault(r => !r.Countries.IsDefaultOrEmpty);
            if (geo is not null)
            {
                throw new ArgumentException($"rule '{geo.Name}' names countries but no GeoIP database is loaded", nameof(countries));
            }
        }

        return new RouteTable(list, defaultGroup, countries);
    }

    /// <summary>The first rule matching <paramref name="query"/>, or the default group.</summary>
    public RouteDecision Decide(in FlowQuery query)
    {
        var destination = AddressKey.Of(query.Destination);
        var source = AddressKey.Of(query.Source);
        var indexed = (destination.IsV6 ? _v6 : _v4).RulesFor(destination.Value);
        ReadOnlySpan<int> other = _anyDestination;
        var country = new CountryMemo(_countries, query);
        Span<char> domainBuffer = stackalloc char[256];
        var domain = query.Domain is { } name && name.Length <= domainBuffer.Length
            ? DomainPattern.Normalize(name, domainBuffer)
            : (query.Domain?.ToLowerInvariant().TrimEnd('.')).AsSpan();
        var hasDomain = query.Domain is not null;
        int i = 0, j = 0;
        while (i < indexed.Length || j < other.Length)
        {
            int candidate;
            if (j >= other.Length || (i < indexed.Length && indexed[i] < other[j]))
            {
                candidate = indexed[i++];
            }
            else
            {
                candidate = other[j++];
            }

            var rule = _compiled[candidate];
            if (rule.Matches(query, source, hasDomain, domain, ref country))
            {
                var action = rule.Rule.Action;
                return new RouteDecision(query, candidate, rule.Rule, action.Kind, action.Target, country.Value);
            }
        }

        return new RouteDecision(query, -1, null, RouteActionKind.Group, DefaultGroup, country.Value);
    }

    /// <summary>The destination's country, looked up at most once per decision.</summary>
    internal struct CountryMemo(ICountryLookup? lookup, FlowQuery query)
    {
        private bool _done;

        public string? Value { get; private set; }

        public string? Get()
        {
            if (!_done)
            {
                _done = true;
                Value = lookup?.CountryOf(query.Destination);
            }

            return Value;
        }
    }

    /// <summary>A rule with its non-destination criteria in matching form.</summary>
    private sealed class CompiledRule
    {
        private readonly (bool IsV6, UInt128 First, UInt128 Last)[] _sources;
        private readonly string[] _lans;
        private readonly PortRange[] _ports;
        private readonly RouteProtocol? _protocol;
        private readonly DomainPattern[] _domains;
        private readonly string[] _countries;

        public CompiledRule(RouteRule rule)
        {
            Rule = rule;
            _sources = rule.Sources.IsDefaultOrEmpty ? [] : [.. rule.Sources.Select(AddressKey.RangeOf)];
            _lans = rule.LanInterfaces.IsDefaultOrEmpty ? [] : [.. rule.LanInterfaces];
            _ports = rule.Ports.IsDefaultOrEmpty ? [] : [.. rule.Ports];
            _protocol = rule.Protocol;
            _domains = rule.Domains.IsDefaultOrEmpty ? [] : [.. rule.Domains];
            _countries = rule.Countries.IsDefaultOrEmpty ? [] : [.. rule.Countries];
        }

        public RouteRule Rule { get; }

        public bool Matches(in FlowQuery query, AddressKey source, bool hasDomain, ReadOnlySpan<char> domain, ref CountryMemo country)
        {
            if (_protocol is { } protocol && protocol != query.Protocol)
            {
                return false;
            }

            if (_ports.Length > 0 && !AnyPort(query.Port))
            {
                return false;
            }

            if (_lans.Length > 0 && !AnyLan(query.LanInterface))
            {
                return false;
            }

            if (_sources.Length > 0 && !AnySource(source))
            {
                return false;
            }

            if (_domains.Length > 0 && (!hasDomain || !AnyDomain(domain)))
            {
                return false;
            }

            return _countries.Length == 0 || AnyCountry(country.Get());
        }

        private bool AnyPort(int port)
        {
            foreach (var range in _ports)
            {
                if (range.Contains(port))
                {
                    return true;
                }
            }

            return false;
        }

        private bool AnyLan(string? lan)
        {
            if (lan is null)
            {
                return false;
            }

            foreach (var name in _lans)
            {
                if (string.Equals(name, lan, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        private bool AnySource(AddressKey source)
        {
            foreach (var (isV6, first, last) in _sources)
            {
                if (isV6 == source.IsV6 && source.Value >= first && source.Value <= last)
                {
                    return true;
                }
            }

            return false;
        }

        private bool AnyDomain(ReadOnlySpan<char> domain)
        {
            foreach (var pattern in _domains)
            {
                if (pattern.MatchesNormalized(domain))
                {
                    return true;
                }
            }

            return false;
        }

        private bool AnyCountry(string? code)
        {
            if (code is null)
            {
                return false;
            }

            foreach (var c in _countries)
            {
                if (string.Equals(c, code, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
