using System.Text;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Tests.Control;

public sealed class ControlLockdownAndMetricsTests
{
    private static HttpRequest Request(string method, string path) => new(method, path, "", [new("Host", "galaxy")], []);

    private static async Task<(int Status, string Body, string? Allow)> CallAsync(string method, string path, FakeAgentControl agent)
    {
        var response = await ControlRouter.RouteAsync(Request(method, path), agent, TestContext.Current.CancellationToken);
        return (response.StatusCode, Encoding.UTF8.GetString(response.Body), response.Allow);
    }

    [Fact]
    public async Task Post_locks_down_and_delete_releases_with_the_state_as_json()
    {
        var agent = new FakeAgentControl();
        Assert.Equal((200, """{"lockdown":true,"kill_switch":"lockdown","ruleset_verified":true}""", null), await CallAsync("POST", "/v1/lockdown", agent));
        Assert.True(agent.Lockdown);
        Assert.Equal((200, """{"lockdown":false,"kill_switch":"closed","ruleset_verified":true}""", null), await CallAsync("DELETE", "/v1/lockdown", agent));
        Assert.False(agent.Lockdown);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    public async Task Other_methods_on_lockdown_are_405_with_allow(string method)
    {
        var (status, _, allow) = await CallAsync(method, "/v1/lockdown", new FakeAgentControl());
        Assert.Equal((405, "POST, DELETE"), (status, allow));
    }

    [Fact]
    public async Task Requests_that_change_nothing_are_answered_as_by_the_synchronous_router()
    {
        var (status, body, _) = await CallAsync("GET", "/v1/status", new FakeAgentControl());
        Assert.Equal(200, status);
        Assert.Contains("\"kill_switch\":\"closed\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_with_counters_add_lockdown_kill_switch_relay_and_dns_families()
    {
        var agent = new FakeAgentControl();
        var text = MetricsText.Render(agent.Egresses(), agent.Connections(), agent.Counters());
        var expected = """
            # HELP galaxy_lockdown 1 while the agent is in lockdown (no LAN flow leaves), else 0.
            # TYPE galaxy_lockdown gauge
            galaxy_lockdown 0
            # HELP galaxy_killswitch_dropped_packets_total Packets the kill switch's counted drop rules dropped, per chain (read from the nft counters).
            # TYPE galaxy_killswitch_dropped_packets_total counter
            galaxy_killswitch_dropped_packets_total{chain="forward"} 5
            galaxy_killswitch_dropped_packets_total{chain="output"} 1
            # HELP galaxy_killswitch_dropped_bytes_total Bytes the kill switch's counted drop rules dropped, per chain (read from the nft counters).
            # TYPE galaxy_killswitch_dropped_bytes_total counter
            galaxy_killswitch_dropped_bytes_total{chain="forward"} 300
            galaxy_killswitch_dropped_bytes_total{chain="output"} 60
            # HELP galaxy_relay_refused_total Flows the relay refused: no egress for them, refused by policy, or (UDP) overload.
            # TYPE galaxy_relay_refused_total counter
            galaxy_relay_refused_total{protocol="tcp"} 3
            galaxy_relay_refused_total{protocol="udp"} 1
            # HELP galaxy_relay_dial_failures_total TCP flows whose egress could not reach the destination (refused, unreachable, timed out).
            # TYPE galaxy_relay_dial_failures_total counter
            galaxy_relay_dial_failures_total{protocol="tcp"} 2
            # HELP galaxy_relay_udp_unreachable_sent_total ICMP unreachables sent back to UDP clients whose flow was refused.
            # TYPE galaxy_relay_udp_unreachable_sent_total counter
            galaxy_relay_udp_unreachable_sent_total 1
            # HELP galaxy_dns_queries_total DNS queries the agent's resolver read (well-formed or not).
            # TYPE galaxy_dns_queries_total counter
            galaxy_dns_queries_total 10
            # HELP galaxy_dns_cache_hits_total DNS queries answered from the cache.
            # TYPE galaxy_dns_cache_hits_total counter
            galaxy_dns_cache_hits_total 4
            # HELP galaxy_dns_servfail_total SERVFAIL answers the resolver made itself (no egress up, every upstream failed).
            # TYPE galaxy_dns_servfail_total counter
            galaxy_dns_servfail_total 2
            # HELP galaxy_dns_upstream_queries_total Exchanges with an upstream server (each try counts).
            # TYPE galaxy_dns_upstream_queries_total counter
            galaxy_dns_upstream_queries_total 6
            # HELP galaxy_dns_upstream_failures_total Upstream exchanges that got no usable reply (timeout, refused, bad reply).
            # TYPE galaxy_dns_upstream_failures_total counter
            galaxy_dns_upstream_failures_total 1
            # HELP galaxy_dns_malformed_total Queries answered FORMERR/NOTIMP or dropped as malformed.
            # TYPE galaxy_dns_malformed_total counter
            galaxy_dns_malformed_total 0
            # HELP galaxy_dns_tcp_fallbacks_total Truncated UDP replies asked again over TCP.
            # TYPE galaxy_dns_tcp_fallbacks_total counter
            galaxy_dns_tcp_fallbacks_total 0

            """.ReplaceLineEndings("\n");
        Assert.EndsWith(expected, text, StringComparison.Ordinal);
        Assert.StartsWith(MetricsText.Render(agent.Egresses(), agent.Connections()), text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("lockdown", "--agent", "maybe")]
    [InlineData("lockdown", "--agent", "on", "--print")]
    public void Lockdown_through_the_agent_takes_on_or_off_and_not_print(params string[] args)
    {
        var error = new StringWriter();
        var code = Galaxy.Agent.Cli.GalaxyCli.Run(args, new StringWriter(), error);
        Assert.True(code == Galaxy.Agent.Cli.ExitCodes.Usage, $"galaxy {string.Join(' ', args)}: expected exit 2, saw {code}: {error}");
    }

    [Fact]
    public void Lockdown_through_an_absent_agent_exits_4()
    {
        var error = new StringWriter();
        var code = Galaxy.Agent.Cli.GalaxyCli.Run(["lockdown", "--agent", "on", "--socket", "/nonexistent/galaxy.sock"], new StringWriter(), error);
        Assert.Equal(Galaxy.Agent.Cli.ExitCodes.AgentNotRunning, code);
        Assert.Equal("galaxy lockdown: the agent is not running (no control socket at /nonexistent/galaxy.sock)\n", error.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void An_event_stream_head_says_chunked_and_has_no_length()
    {
        var head = Encoding.ASCII.GetString(new ControlResponse(200, ControlResponse.EventStream, []) { IsEventStream = true }.Encode());
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n", head);
    }
}
