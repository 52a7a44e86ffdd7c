using System.Net;
using System.Threading.Channels;
using Galaxy.Agent.Control;
using Galaxy.Agent.Relay;

namespace Galaxy.Agent.Tests.Control;

/// <summary>A fixed agent for the control API's contract tests.</summary>
internal sealed class FakeAgentControl : IAgentControl
{
    public static readonly DateTimeOffset Started = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    public List<long> Closed { get; } = [];

    public AgentStatus Status() => new("0.1.0", Started, "closed", true, new EgressSummary(2, 1));

    public IReadOnlyList<EgressStatus> Egresses() =>
    [
        new("vpn", "openvpn", true, Started.AddMinutes(1), null, 1000, 2000, 1),
        new("backup", "socks5", false, Started.AddMinutes(2), "connect: refused", 0, 0, 0,
            DialFailures: 3, LastDialError: "203.0.113.9:443: SOCKS5 proxy 198.51.100.5:1080 refused the credentials of user alice", LastDialErrorAt: Started.AddMinutes(90)),
    ];

    public IReadOnlyList<FlowInfo> Connections() =>
    [
        new(7, FlowProtocol.Tcp, IPEndPoint.Parse("198.51.100.7:41000"), IPEndPoint.Parse("203.0.113.5:443"), "vpn", Started.AddMinutes(3), 10, 20, true, Rule: "streaming"),
        new(8, FlowProtocol.Udp, IPEndPoint.Parse("[2001:db8::7]:5353"), IPEndPoint.Parse("[2001:db8:1::53]:53"), "vpn", Started.AddMinutes(4), 1, 2, false),
    ];

    public bool CloseConnection(long id)
    {
        Closed.Add(id);
        return id == 7;
    }

    public ChannelReader<string>? Subscribe(CancellationToken ct) => null;

    public bool Lockdown { get; private set; }

    /// <summary>What the next reload answers.</summary>
    public ReloadView NextReload { get; set; } = new(true, "1 rule(s), 1 group(s), default 'default'", []);

    /// <summary>The last explain query asked.</summary>
    public ExplainQuery? LastExplain { get; private set; }

    public Task<ReloadView> ReloadAsync(CancellationToken ct) => Task.FromResult(NextReload);

    public ExplainView? Explain(ExplainQuery query)
    {
        LastExplain = query;
        return new ExplainView(query.ToString(), "default", null, "group", "default", "vps", query.Domain, null, "failover: 'vps' is the first member and up", "text");
    }

    public Task<LockdownState> SetLockdownAsync(bool on, CancellationToken ct)
    {
        Lockdown = on;
        return Task.FromResult(new LockdownState(on, on ? "lockdown" : "closed", true));
    }

    public AgentCounters Counters() => new(
        new Galaxy.Agent.Dns.DnsStatistics(Queries: 10, CacheHits: 4, UpstreamQueries: 6, UpstreamFailures: 1, ServerFailures: 2, Malformed: 0, TcpFallbacks: 0),
        [new DropCounter("forward", 5, 300), new DropCounter("output", 1, 60)],
        new RelayCounters(TcpRefused: 3, TcpDialFailures: 2, UdpRefused: 1, UdpUnreachableSent: 1),
        Lockdown);
}
