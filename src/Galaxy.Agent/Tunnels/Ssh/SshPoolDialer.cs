using System.Net;
using Galaxy.Agent.Egress;

namespace Galaxy.Agent.Tunnels.Ssh;

/// <summary>
/// The dialer of an SSH egress: one SOCKS5 dialer per SSH connection (its loopback dynamic forward), flows
/// spread round robin over the connections that are up, so one slow connection carries only its share.
/// With none up, a dial fails at once (unreachable). UDP is refused: ssh's dynamic forward carries TCP only,
/// and a UDP flow is never sent another way. When every connection's dialer can start in the splice loop (a
/// SOCKS5 port a plain connect away, as the agent builds them), so can the pool.
/// </summary>
internal sealed class SshPoolDialer : IInLoopConnectDialer
{
    private readonly IReadOnlyList<IEgressDialer> _connections;
    private readonly IInLoopConnectDialer[]? _inLoop;
    private readonly bool[] _up;
    private int _next = -1;

    public SshPoolDialer(string name, IReadOnlyList<IEgressDialer> connections)
    {
        ArgumentNullException.ThrowIfNull(connections);
        if (connections.Count == 0)
        {
            throw new ArgumentException("an SSH egress needs at least one connection", nameof(connections));
        }

        Name = name;
        _connections = connections;
        _up = new bool[connections.Count];
        if (connections.All(c => c is IInLoopConnectDialer { CanStartInLoop: true }))
        {
            _inLoop = [.. connections.Cast<IInLoopConnectDialer>()];
            ConnectTimeout = _inLoop.Max(c => c.ConnectTimeout);
        }
    }

    public bool CanStartInLoop => _inLoop is not null;

    /// <summary>The longest of the connections' (read for every flow, so computed once).</summary>
    public TimeSpan ConnectTimeout { get; }

    public string Name { get; }

    public int Count => _connections.Count;

    /// <summary>Marks connection <paramref name="index"/> usable or not (its supervisor's report).</summary>
    public void SetUp(int index, bool up) => Volatile.Write(ref _up[index], up);

    public bool IsUp(int index) => Volatile.Read(ref _up[index]);

    /// <summary>The connection the next flow takes (the up ones in turn), or -1 when none is up.</summary>
    public int Pick()
    {
        Span<int> up = stackalloc int[_up.Length];
        var count = 0;
        for (var i = 0; i < _up.Length; i++)
        {
            if (Volatile.Read(ref _up[i]))
            {
                up[count++] = i;
            }
        }

        return count == 0 ? -1 : up[(int)((uint)Interlocked.Increment(ref _next) % (uint)count)];
    }

    public ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken)
    {
        var index = Pick();
        return index < 0
            ? ValueTask.FromResult(DialResult.Failure(DialOutcome.Unreachable, $"{Name}: no SSH connection is up"))
            : _connections[index].DialTcpAsync(destination, cancellationToken);
    }

    public DialResult StartConnect(IPEndPoint destination, out IUpstreamHandshake? handshake)
    {
        handshake = null;
        var index = Pick();
        if (index < 0 || _inLoop is null)
        {
            return DialResult.Failure(DialOutcome.Unreachable, $"{Name}: no SSH connection is up");
        }

        return _inLoop[index].StartConnect(destination, out handshake);
    }

    public DialResult DialUdp(IPEndPoint destination) =>
        DialResult.Failure(DialOutcome.Rejected, $"{Name} is an SSH egress: it carries TCP only");

    public override string ToString() => $"{Name} (ssh, {_connections.Count} connections)";
}
