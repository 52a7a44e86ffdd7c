namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// The first healthy member in order, with hysteresis: a member seen down and then up again takes
/// traffic back only after it stayed up for <see cref="HoldDown"/> (on the injected clock) — unless no
/// steadier member is up, then it is used at once rather than refusing. Health is sampled on each
/// choice (and by <see cref="Observe"/>), so a flap between two samples goes unseen.
/// </summary>
internal sealed class FailoverGroup : EgressGroup
{
    private readonly TimeProvider _time;
    private readonly long?[] _upSince; // null: down when last seen; long.MinValue: up since the start
    private readonly Lock _gate = new();

    public FailoverGroup(string name, IEnumerable<string> members, TimeSpan holdDown, TimeProvider time)
        : base(name, members)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(holdDown, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        HoldDown = holdDown;
        _time = time;
        _upSince = new long?[Members.Length];
        Array.Fill(_upSince, long.MinValue);
    }

    public TimeSpan HoldDown { get; }

    public override string Strategy => "failover";

    /// <summary>Samples every member's health (call it from the health loop so short outages are seen).</summary>
    public void Observe(IEgressHealth health)
    {
        lock (_gate)
        {
            Sample(health, _time.GetTimestamp());
        }
    }

    public override GroupChoice Choose(in FlowQuery flow, IEgressHealth health)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            Sample(health, now);
            var firstUp = -1;
            for (var i = 0; i < Members.Length; i++)
            {
                if (_upSince[i] is not { } since)
                {
                    continue;
                }

                if (firstUp < 0)
                {
                    firstUp = i;
                }

                if (since == long.MinValue || _time.GetElapsedTime(since, now) >= HoldDown)
                {
                    return new GroupChoice(Members[i], i == 0
                        ? $"failover: '{Members[i]}' is the first member and up"
                        : $"failover: '{Members[i]}' is the first steady healthy member ({string.Join(", ", Members.Take(i))} down or recovering)");
                }
            }

            return firstUp < 0
                ? GroupChoice.Refuse(Name)
                : new GroupChoice(Members[firstUp], $"failover: '{Members[firstUp]}' is recovering (up less than {HoldDown.TotalSeconds:0.#} s) but no steadier member is up");
        }
    }

    private void Sample(IEgressHealth health, long now)
    {
        for (var i = 0; i < Members.Length; i++)
        {
            if (!health.IsUp(Members[i]))
            {
                _upSince[i] = null;
            }
            else if (_upSince[i] is null)
            {
                _upSince[i] = now;
            }
        }
    }
}
