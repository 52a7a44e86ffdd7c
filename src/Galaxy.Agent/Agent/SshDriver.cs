using System.Collections.Immutable;
using Galaxy.Agent.Config;
using Galaxy.Agent.Tunnels.Ssh;

namespace Galaxy.Agent.Agent;

/// <summary>
/// Drives one SSH egress: <see cref="SshEgressConfig.Connections"/> supervised ssh clients, each a SOCKS5
/// upstream of the egress's <see cref="SshPoolDialer"/>. A connection's report marks it usable in the pool
/// at once; the egress is reported up while at least one connection is up, down when none is.
/// </summary>
internal sealed class SshDriver : ITunnelDriver
{
    private readonly SshConnection[] _connections;
    private readonly SshConnectionStatus?[] _states;
    private readonly SshPoolDialer _pool;
    private readonly string _name;
    private readonly Lock _gate = new();
    private Action<TunnelReport>? _report;
    private TunnelReport? _last;

    public SshDriver(EgressRuntime egress, SshEgressConfig config, string? viaDevice, ILoggerFactoryLite logs)
    {
        _pool = egress.Dialer as SshPoolDialer
            ?? throw new ArgumentException($"egress {config.Name}: an SSH egress dials through its SSH connections", nameof(egress));
        _name = config.Name;
        _connections = new SshConnection[config.Connections];
        _states = new SshConnectionStatus?[config.Connections];
        var logger = logs.Create($"ssh[{config.Name}]");
        for (var i = 0; i < config.Connections; i++)
        {
            var spec = Spec(config, egress.Slot, i, viaDevice);
            _connections[i] = new SshConnection(spec, SshCommandLine.Build(spec), OnConnection, logger);
        }
    }

    /// <summary>The spec of connection <paramref name="index"/> of an SSH egress in <paramref name="slot"/>.</summary>
    internal static SshConnectionSpec Spec(SshEgressConfig config, Routing.Policy.EgressSlot slot, int index, string? viaDevice) => new(
        config.Name, index, config.Endpoint, config.User, config.Identity, config.KnownHosts,
        SshConnectionSpec.SocksPortOf(slot, index), SshConnectionSpec.GidOf(slot), viaDevice);

    public void Start(Action<TunnelReport> report)
    {
        _report = report;
        foreach (var connection in _connections)
        {
            connection.Start();
        }
    }

    public void ReleaseHold()
    {
        foreach (var connection in _connections)
        {
            connection.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void OnConnection(SshConnectionStatus status)
    {
        _pool.SetUp(status.Index, status.Up);
        TunnelReport next;
        lock (_gate)
        {
            _states[status.Index] = status;
            next = Aggregate(_states);
            if (_last == next)
            {
                return;
            }

            _last = next;
        }

        _report?.Invoke(next);
    }

    /// <summary>
    /// The egress's report from its connections' states: up with the count when at least one is up, else the
    /// state and reason of the first connection that has one (all connections share a server, key and pin,
    /// so the first one's failure is the egress's).
    /// </summary>
    internal static TunnelReport Aggregate(IReadOnlyList<SshConnectionStatus?> states)
    {
        var up = states.Count(s => s is { Up: true });
        if (up > 0)
        {
            return new TunnelReport(true, "connected", $"{up} of {states.Count} ssh connections up", ImmutableArray<System.Net.IPAddress>.Empty);
        }

        var first = states.FirstOrDefault(s => s is { Reason: not null }) ?? states.FirstOrDefault(s => s is not null);
        return new TunnelReport(false, first?.State ?? "connecting", first?.Reason, ImmutableArray<System.Net.IPAddress>.Empty);
    }

    public override string ToString() => $"ssh driver {_name}";
}
