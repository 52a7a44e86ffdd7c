using System.Net;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// Rendezvous (highest-random-weight) hashing of the source or destination address over the healthy
/// members: while the healthy set is stable a client (or a site) keeps one exit; when a member fails only
/// its share moves, and it comes back to it when the member returns. The hash is a fixed function (not
/// the process-randomized string hash), so the mapping survives restarts.
/// </summary>
internal sealed class ConsistentHashGroup : EgressGroup
{
    private readonly ulong[] _seeds;

    public ConsistentHashGroup(string name, IEnumerable<string> members, HashKey key)
        : base(name, members)
    {
        Key = key;
        _seeds = [.. Members.Select(Fnv1a)];
    }

    public HashKey Key { get; }

    public override string Strategy => Key == HashKey.Source ? "hash-source" : "hash-destination";

    public override GroupChoice Choose(in FlowQuery flow, IEgressHealth health)
    {
        var address = Key == HashKey.Source ? flow.Source : flow.Destination;
        var k = AddressKey.Of(address);
        var a = (ulong)(k.Value >> 64) ^ (k.IsV6 ? 0x9E3779B97F4A7C15UL : 0);
        var b = (ulong)k.Value;
        var best = -1;
        var bestScore = 0UL;
        for (var i = 0; i < Members.Length; i++)
        {
            if (!health.IsUp(Members[i]))
            {
                continue;
            }

            var score = Mix(Mix(a ^ _seeds[i]) ^ b);
            if (best < 0 || score > bestScore)
            {
                best = i;
                bestScore = score;
            }
        }

        return best < 0
            ? GroupChoice.Refuse(Name)
            : new GroupChoice(Members[best], $"consistent hash of the {(Key == HashKey.Source ? "source" : "destination")} {address}: '{Members[best]}' scores highest among the healthy members");
    }

    /// <summary>The member an address maps to when every member is healthy (for tests and explain).</summary>
    internal string Preferred(IPAddress address)
    {
        var flow = new FlowQuery(address, null, address, 0, RouteProtocol.Tcp);
        return Choose(flow, AllUp.Instance).Egress!;
    }

    private static ulong Fnv1a(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    // splitmix64 finalizer
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private sealed class AllUp : IEgressHealth
    {
        public static AllUp Instance { get; } = new();

        public bool IsUp(string egress) => true;

        public int Connections(string egress) => 0;

        public TimeSpan? Latency(string egress) => null;
    }
}
