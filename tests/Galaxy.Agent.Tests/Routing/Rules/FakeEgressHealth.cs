using Galaxy.Agent.Routing.Rules;

namespace Galaxy.Agent.Tests.Routing.Rules;

/// <summary>Egress health set by the test.</summary>
internal sealed class FakeEgressHealth : IEgressHealth
{
    private readonly HashSet<string> _down = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _latency = new(StringComparer.Ordinal);

    public FakeEgressHealth Down(params string[] egresses)
    {
        _down.UnionWith(egresses);
        return this;
    }

    public FakeEgressHealth Up(params string[] egresses)
    {
        _down.ExceptWith(egresses);
        return this;
    }

    public FakeEgressHealth WithConnections(string egress, int count)
    {
        _connections[egress] = count;
        return this;
    }

    public FakeEgressHealth WithLatency(string egress, double milliseconds)
    {
        _latency[egress] = TimeSpan.FromMilliseconds(milliseconds);
        return this;
    }

    public bool IsUp(string egress) => !_down.Contains(egress);

    public int Connections(string egress) => _connections.GetValueOrDefault(egress);

    public TimeSpan? Latency(string egress) => _latency.TryGetValue(egress, out var l) ? l : null;
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
