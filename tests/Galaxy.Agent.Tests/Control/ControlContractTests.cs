using System.Text;
using Galaxy.Agent.Cli;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Tests.Control;

public sealed class ControlContractTests
{
    private static HttpRequest Request(string method, string path) => new(method, path, "", [new("Host", "galaxy")], []);

    private static (int Status, string Body) Call(string method, string path, FakeAgentControl? agent = null)
    {
        var response = ControlRouter.Route(Request(method, path), agent ?? new FakeAgentControl());
        return (response.StatusCode, Encoding.UTF8.GetString(response.Body));
    }

    [Fact]
    public void Status_is_the_golden_json()
    {
        var (status, body) = Call("GET", "/v1/status");
        Assert.Equal(200, status);
        Assert.Equal(
            """{"version":"0.1.0","started_at":"2026-11-26T01:00:00+00:00","kill_switch":"closed","ruleset_verified":true,"egresses":{"total":2,"up":1}}""",
            body);
    }

    [Fact]
    public void Egresses_are_the_golden_json_with_null_reasons_written()
    {
        var (status, body) = Call("GET", "/v1/egresses");
        Assert.Equal(200, status);
        Assert.Equal(
            """[{"name":"vpn","kind":"openvpn","up":true,"since":"2026-11-26T01:01:00+00:00","reason":null,"bytes_up":1000,"bytes_down":2000,"connections":1,"latency_ms":null,"dial_failures":""" +
            """0,"last_dial_error":null,"last_dial_error_at":null},""" +
            """{"name":"backup","kind":"socks5","up":false,"since":"2026-11-26T01:02:00+00:00","reason":"connect: refused","bytes_up":0,"bytes_down":0,"connections":0,"latency_ms":null,"dial_failures":""" +
            """3,"last_dial_error":"203.0.113.9:443: SOCKS5 proxy 198.51.100.5:1080 refused the credentials of user alice","last_dial_error_at":"2026-11-26T02:30:00+00:00"}]""",
            body);
    }

    [Fact]
    public void Connections_are_the_golden_json_with_endpoints_as_text()
    {
        var (status, body) = Call("GET", "/v1/connections");
        Assert.Equal(200, status);
        Assert.Equal(
            """[{"id":7,"protocol":"tcp","client":"198.51.100.7:41000","destination":"203.0.113.5:443","egress":"vpn","rule":"streaming","started":"2026-11-26T01:03:00+00:00","bytes_up":10,"bytes_down":20,"connected":true},""" +
            """{"id":8,"protocol":"udp","client":"[2001:db8::7]:5353","destination":"[2001:db8:1::53]:53","egress":"vpn","rule":null,"started":"2026-11-26T01:04:00+00:00","bytes_up":1,"bytes_down":2,"connected":false}]""",
            body);
    }

    [Fact]
    public void Deleting_a_connection_closes_it_or_says_404()
    {
        var agent = new FakeAgentControl();
        Assert.Equal((200, """{"closed":7}"""), Call("DELETE", "/v1/connections/7", agent));
        Assert.Equal(404, Call("DELETE", "/v1/connections/9", agent).Status);
        Assert.Equal([7L, 9L], agent.Closed);
        Assert.Equal(400, Call("DELETE", "/v1/connections/x7", agent).Status);
        Assert.Equal(400, Call("DELETE", "/v1/connections/99999999999999999999", agent).Status);
    }

    [Theory]
    [InlineData("POST", "/v1/status", 405)]
    [InlineData("DELETE", "/v1/egresses", 405)]
    [InlineData("GET", "/v1/connections/7", 405)]
    [InlineData("GET", "/v2/status", 404)]
    [InlineData("GET", "/", 404)]
    public void Wrong_paths_and_methods_get_404_and_405_with_an_error_body(string method, string path, int expected)
    {
        var response = ControlRouter.Route(Request(method, path), new FakeAgentControl());
        Assert.Equal(expected, response.StatusCode);
        Assert.StartsWith("{\"error\":", Encoding.UTF8.GetString(response.Body), StringComparison.Ordinal);
        if (expected == 405)
        {
            Assert.NotNull(response.Allow);
        }
    }

    [Fact]
    public void Events_without_a_stream_are_flagged_for_the_server()
    {
        var response = ControlRouter.Route(Request("GET", "/v1/events"), new FakeAgentControl());
        Assert.True(response.IsEventStream, "the server decides 501 or a stream once Subscribe is called");
    }

    [Fact]
    public void A_response_encodes_as_HTTP_1_1_with_length_and_close()
    {
        var bytes = new ControlResponse(200, ControlResponse.Json, "{}"u8.ToArray()).Encode();
        Assert.Equal(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{}",
            Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void Metrics_are_the_golden_prometheus_text()
    {
        var agent = new FakeAgentControl();
        var text = MetricsText.Render(agent.Egresses(), agent.Connections());
        Assert.Equal(
            """
            # HELP galaxy_egress_up 1 when the egress can carry traffic, else 0.
            # TYPE galaxy_egress_up gauge
            galaxy_egress_up{egress="vpn"} 1
            galaxy_egress_up{egress="backup"} 0
            # HELP galaxy_egress_bytes_total Bytes relayed through the egress; up = towards the destination.
            # TYPE galaxy_egress_bytes_total counter
            galaxy_egress_bytes_total{egress="vpn",direction="up"} 1000
            galaxy_egress_bytes_total{egress="vpn",direction="down"} 2000
            galaxy_egress_bytes_total{egress="backup",direction="up"} 0
            galaxy_egress_bytes_total{egress="backup",direction="down"} 0
            # HELP galaxy_connections Flows the egress carries now.
            # TYPE galaxy_connections gauge
            galaxy_connections{egress="vpn"} 1
            galaxy_connections{egress="backup"} 0
            # HELP galaxy_egress_dial_failures_total Flows the egress could not dial (refused, unreachable, timed out, refused by its proxy); refusals by policy are not counted.
            # TYPE galaxy_egress_dial_failures_total counter
            galaxy_egress_dial_failures_total{egress="vpn"} 0
            galaxy_egress_dial_failures_total{egress="backup"} 3
            # HELP galaxy_flows Flows the relay carries now, by protocol.
            # TYPE galaxy_flows gauge
            galaxy_flows{protocol="tcp"} 1
            galaxy_flows{protocol="udp"} 1

            """.ReplaceLineEndings("\n"),
            text);
    }

    [Fact]
    public void Metric_label_values_are_escaped()
    {
        var text = MetricsText.Render([new("a\"b\\c\nd", "direct", true, DateTimeOffset.UnixEpoch, null, 0, 0, 0)], []);
        Assert.Contains("galaxy_egress_up{egress=\"a\\\"b\\\\c\\nd\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Peer_credentials_decode_from_struct_ucred()
    {
        byte[] ucred = [0x39, 0x30, 0, 0, 0xFE, 0xFF, 0, 0, 100, 0, 0, 0];
        Assert.Equal(new PeerCredentials(12345, 65534, 100), PeerCredentials.Decode(ucred));
    }

    [Fact]
    public void Access_allows_root_the_primary_group_and_supplementary_members_only()
    {
        var status = new Dictionary<int, string>
        {
            [10] = "Name:\tcurl\nUid:\t65534\nGroups:\t27 100 \nNSpid:\t10\n",
            [11] = "Name:\tcurl\nGroups:\t\n",
        };
        var access = new ControlAccess(100, pid => status.GetValueOrDefault(pid));
        Assert.True(access.Allows(new PeerCredentials(1, 0, 0)), "root");
        Assert.True(access.Allows(new PeerCredentials(2, 1000, 100)), "primary group");
        Assert.True(access.Allows(new PeerCredentials(10, 65534, 65534)), "supplementary group");
        Assert.False(access.Allows(new PeerCredentials(11, 65534, 65534)), "no groups");
        Assert.False(access.Allows(new PeerCredentials(12, 65534, 65534)), "process gone");
        Assert.False(new ControlAccess(null).Allows(new PeerCredentials(2, 1000, 100)), "no group configured: root only");
    }

    [Fact]
    public void The_group_id_is_found_in_etc_group_text()
    {
        const string text = "root:x:0:\nusers:x:100:alice,bob\ngalaxy:x:998:\n";
        Assert.Equal(998u, ControlAccess.FindGroupId(text, "galaxy"));
        Assert.Null(ControlAccess.FindGroupId(text, "galax"));
    }

    [Fact]
    public void The_client_splits_an_answer_and_maps_403_to_access_denied()
    {
        var ok = ControlClient.Interpret("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"u8, "/s");
        Assert.Equal(new ControlCallResult(ControlCallOutcome.Answered, 200, "{}", ""), ok);
        Assert.Equal(ControlCallOutcome.AccessDenied, ControlClient.Interpret("HTTP/1.1 403 Forbidden\r\n\r\n{}"u8, "/s").Outcome);
        Assert.Equal(ControlCallOutcome.Failed, ControlClient.Interpret("garbage"u8, "/s").Outcome);
    }

    [Fact]
    public void Status_and_egress_tables_read_plainly()
    {
        var agent = new FakeAgentControl();
        var now = FakeAgentControl.Started.AddHours(2);
        var status = new StringWriter();
        StatusCommand.Render(agent.Status(), now, status);
        Assert.Contains("kill switch: closed", status.ToString(), StringComparison.Ordinal);
        Assert.Contains("(up 2h00m)", status.ToString(), StringComparison.Ordinal);
        Assert.Contains("egresses:    1 of 2 up", status.ToString(), StringComparison.Ordinal);

        var egresses = new StringWriter();
        EgressesCommand.Render(agent.Egresses(), now, egresses);
        var lines = egresses.ToString().ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("EGRESS  KIND     STATE", lines[0], StringComparison.Ordinal);
        Assert.Contains("down", lines[2], StringComparison.Ordinal);
        Assert.Contains("  connect: refused  ", lines[2], StringComparison.Ordinal);
        Assert.EndsWith("  -", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("  3, last 30m00s ago: 203.0.113.9:443: SOCKS5 proxy 198.51.100.5:1080 refused the credentials of user alice", lines[2], StringComparison.Ordinal);

        var connections = new StringWriter();
        ConnectionsCommand.Render(agent.Connections().Select(ConnectionView.From).ToArray(), now, connections);
        Assert.Contains("203.0.113.5:443", connections.ToString(), StringComparison.Ordinal);
        Assert.Contains("dialing", connections.ToString(), StringComparison.Ordinal);
        var connectionLines = connections.ToString().ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID  PROTO  CLIENT", connectionLines[0], StringComparison.Ordinal);
        Assert.Contains("  RULE  ", connectionLines[0], StringComparison.Ordinal);
        Assert.Contains("  streaming  ", connectionLines[1], StringComparison.Ordinal);
        Assert.Contains("  vpn     -  ", connectionLines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Status_without_an_agent_exits_4_with_a_plain_message()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = GalaxyCli.Run(["status", "--socket", "/nonexistent/galaxy.sock"], output, error);
        Assert.Equal(ExitCodes.AgentNotRunning, code);
        Assert.Equal("galaxy status: the agent is not running (no control socket at /nonexistent/galaxy.sock)\n", error.ToString().ReplaceLineEndings("\n"));
        Assert.Empty(output.ToString());
    }
}
