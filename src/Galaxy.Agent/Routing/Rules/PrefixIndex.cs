namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// Destination prefixes of one family compiled into sorted, non-overlapping ranges: each range holds, in
/// ascending order, the indexes of the rules whose prefixes cover it. A lookup is one binary search
/// (log2 of twice the prefix count) and hands back a span, so the matcher walks only the rules whose
/// destination matches, first rule first.
/// </summary>
internal sealed class PrefixIndex
{
    private readonly UInt128[] _starts;   // _starts[0] == 0: the ranges cover the whole space
    private readonly int[] _offsets;      // range i's rules are _rules[_offsets[i].._offsets[i + 1]]
    private readonly int[] _rules;

    private PrefixIndex(UInt128[] starts, int[] offsets, int[] rules)
    {
        _starts = starts;
        _offsets = offsets;
        _rules = rules;
    }

    public static PrefixIndex Empty { get; } = new([UInt128.Zero], [0, 0], []);

    /// <summary>Number of ranges (for tests and the benchmark).</summary>
    public int RangeCount => _starts.Length;

    /// <summary>Builds the index from (first address, last address, rule index) entries.</summary>
    public static PrefixIndex Build(IReadOnlyList<(UInt128 First, UInt128 Last, int Rule)> entries)
    {
        if (entries.Count == 0)
        {
            return Empty;
        }

        var bounds = new List<UInt128>(entries.Count * 2 + 1) { UInt128.Zero };
        foreach (var (first, last, _) in entries)
        {
            bounds.Add(first);
            if (last != UInt128.MaxValue)
            {
                bounds.Add(last + 1);
            }
        }

        bounds.Sort();
        var starts = new List<UInt128>(bounds.Count);
        foreach (var b in bounds)
        {
            if (starts.Count == 0 || starts[^1] != b)
            {
                starts.Add(b);
            }
        }

        var byFirst = entries.OrderBy(e => e.First).ToArray();
        var ends = new PriorityQueue<int, UInt128>();
        var active = new SortedDictionary<int, int>(); // rule -> how many of its prefixes cover the range
        var offsets = new int[starts.Count + 1];
        var rules = new List<int>(entries.Count * 2);
        var next = 0;
        for (var i = 0; i < starts.Count; i++)
        {
            var at = starts[i];
            while (ends.TryPeek(out var rule, out var last) && last < at)
            {
                ends.Dequeue();
                if (--active[rule] == 0)
                {
                    active.Remove(rule);
                }
            }

            while (next < byFirst.Length && byFirst[next].First <= at)
            {
                var e = byFirst[next++];
                active[e.Rule] = active.GetValueOrDefault(e.Rule) + 1;
                ends.Enqueue(e.Rule, e.Last);
            }

            offsets[i] = rules.Count;
            rules.AddRange(active.Keys);
        }

        offsets[starts.Count] = rules.Count;
        return new PrefixIndex([.. starts], offsets, [.. rules]);
    }

    /// <summary>The rules whose destination covers <paramref name="key"/>, in ascending order.</summary>
    public ReadOnlySpan<int> RulesFor(UInt128 key)
    {
        int lo = 0, hi = _starts.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >>> 1;
            if (_starts[mid] <= key)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return _rules.AsSpan(_offsets[lo], _offsets[lo + 1] - _offsets[lo]);
    }
}
