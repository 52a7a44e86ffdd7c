using System.Globalization;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// The healthy member with the lowest probed latency, sticky: the current member is kept while it is up
/// unless another is faster by more than the tolerance (both an absolute margin and a fraction of the
/// current latency must be beaten), so probe noise does not make it flap. Members never probed are only
/// used when no member has a measurement.
/// </summary>
internal sealed class LowestLatencyGroup : EgressGroup
{
    private readonly Lock _gate = new();
    private string? _current;

    public LowestLatencyGroup(string name, IEnumerable<string> members, TimeSpan tolerance, double toleranceFraction = 0)
        : base(name, members)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tolerance, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(toleranceFraction);
        Tolerance = tolerance;
        ToleranceFraction = toleranceFraction;
    }

    public TimeSpan Tolerance { get; }

    public double ToleranceFraction { get; }

    public override string Strategy => "lowest-latency";

    public override GroupChoice Choose(in FlowQuery flow, IEgressHealth health)
    {
        lock (_gate)
        {
            string? best = null;
            var bestLatency = TimeSpan.MaxValue;
            string? firstUp = null;
            foreach (var member in Members)
            {
                if (!health.IsUp(member))
                {
                    continue;
                }

                firstUp ??= member;
                if (health.Latency(member) is { } latency && latency < bestLatency)
                {
                    best = member;
                    bestLatency = latency;
                }
            }

            if (firstUp is null)
            {
                _current = null;
                return GroupChoice.Refuse(Name);
            }

            if (best is null)
            {
                _current = firstUp;
                return new GroupChoice(firstUp, $"lowest-latency: no member measured yet, '{firstUp}' is the first healthy one");
            }

            if (_current is not null && _current != best && health.IsUp(_current) && health.Latency(_current) is { } currentLatency)
            {
                var margin = Tolerance > currentLatency * ToleranceFraction ? Tolerance : currentLatency * ToleranceFraction;
                if (currentLatency - bestLatency <= margin)
                {
                    return new GroupChoice(_current, string.Create(CultureInfo.InvariantCulture,
                        $"lowest-latency: staying on '{_current}' ({currentLatency.TotalMilliseconds:0.#} ms); '{best}' ({bestLatency.TotalMilliseconds:0.#} ms) is within the tolerance of {margin.TotalMilliseconds:0.#} ms"));
                }
            }

            _current = best;
            return new GroupChoice(best, string.Create(CultureInfo.InvariantCulture, $"lowest-latency: '{best}' answers in {bestLatency.TotalMilliseconds:0.#} ms, the fastest healthy member"));
        }
    }
}
