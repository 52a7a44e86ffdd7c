using System.Threading.Channels;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Galaxy.Agent.Cli;
using Galaxy.Agent.Control;

namespace Galaxy.Integration.Tests.Control;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ControlServerTests
{
    private static readonly string[] Nobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];
    private static readonly string[] NobodyInUsers = ["--reuid=65534", "--regid=65534", "--groups=100"];

    [Fact]
    public async Task Every_endpoint_answers_curl_on_the_unix_socket()
    {
        await using var lab = await ControlLab.StartAsync(new FakeAgent { Events = ["""{"event":"egress_up","egress":"vpn"}""", """{"event":"egress_down","egress":"backup"}"""] });

        var status = await lab.CurlAsync("/v1/status");
        Assert.True(status is { Exit: 0, Status: 200 }, $"status: {status}");
        Assert.Contains("\"kill_switch\":\"closed\"", status.Body, StringComparison.Ordinal);

        var egresses = await lab.CurlAsync("/v1/egresses");
        Assert.True(egresses is { Exit: 0, Status: 200 } && egresses.Body.Contains("\"reason\":\"connect: refused\"", StringComparison.Ordinal), $"egresses: {egresses}");

        var connections = await lab.CurlAsync("/v1/connections");
        Assert.True(connections is { Exit: 0, Status: 200 } && connections.Body.Contains("\"destination\":\"203.0.113.5:443\"", StringComparison.Ordinal), $"connections: {connections}");

        var metrics = await lab.CurlAsync("/v1/metrics");
        Assert.True(metrics is { Exit: 0, Status: 200 } && metrics.Body.Contains("galaxy_egress_up{egress=\"vpn\"} 1", StringComparison.Ordinal), $"metrics: {metrics}");

        var close = await lab.CurlAsync("/v1/connections/7", "DELETE");
        Assert.True(close is { Exit: 0, Status: 200 }, $"delete 7: {close}");
        var missing = await lab.CurlAsync("/v1/connections/8", "DELETE");
        Assert.True(missing.Status == 404, $"delete 8: {missing}");
        Assert.Equal([7L, 8L], lab.Agent.Closed);

        var events = await lab.CurlAsync("/v1/events");
        Assert.True(events is { Exit: 0, Status: 200 }, $"events: {events}");
        Assert.Equal("{\"event\":\"egress_up\",\"egress\":\"vpn\"}\n{\"event\":\"egress_down\",\"egress\":\"backup\"}", events.Body.TrimEnd('\n'));

        Assert.Equal(404, (await lab.CurlAsync("/v1/nothing")).Status);
        Assert.Equal(405, (await lab.CurlAsync("/v1/status", "POST")).Status);
    }

    [Fact]
    public async Task The_cli_prints_the_event_stream_line_by_line_and_says_when_the_agent_ends_it()
    {
        await using var lab = await ControlLab.StartAsync(new FakeAgent
        {
            Events = ["{\"event\":\"egress_up\",\"time\":\"2026-11-26T04:12:01+00:00\",\"egress\":\"vpn\",\"device\":\"gxtun0\"}", "{\"event\":\"future\"}"],
        });
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await Task.Run(() => GalaxyCli.Run(["events", "--socket", lab.SocketPath], output, error), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(code == ExitCodes.Failure, $"the stream ended by the agent exits 1; saw {code}: {error}");
        Assert.Equal("2026-11-26 04:12:01Z  egress vpn UP (device gxtun0)\n{\"event\":\"future\"}\n", output.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("galaxy events: the agent ended the event stream\n", error.ToString().ReplaceLineEndings("\n"));

        output = new StringWriter();
        code = await Task.Run(() => GalaxyCli.Run(["events", "--json", "--socket", lab.SocketPath], output, new StringWriter()), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.StartsWith("{\"event\":\"egress_up\",", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_stream_delivers_its_snapshot_then_each_event_as_it_is_published()
    {
        var hub = new EventHub();
        await using var lab = await ControlLab.StartAsync(new FakeAgent { Hub = hub, Events = ["{\"event\":\"snapshot\"}"] });
        var lines = Channel.CreateUnbounded<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var reading = ControlClient.StreamAsync(lab.SocketPath, "/v1/events", line => lines.Writer.TryWrite(line), TimeSpan.FromSeconds(5), stop.Token);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(5));
        Assert.Equal("{\"event\":\"snapshot\"}", await lines.Reader.ReadAsync(deadline.Token));
        hub.Publish("{\"event\":\"live\"}");
        Assert.Equal("{\"event\":\"live\"}", await lines.Reader.ReadAsync(deadline.Token));
        await stop.CancelAsync();
        var result = await reading;
        Assert.True(result is { Outcome: ControlCallOutcome.Answered, StatusCode: 200, Message: "" }, $"a stream the caller cancelled ends quietly; saw {result}");
    }

    [Fact]
    public async Task Events_are_501_when_the_agent_has_no_stream()
    {
        await using var lab = await ControlLab.StartAsync();
        var events = await lab.CurlAsync("/v1/events");
        Assert.True(events.Status == 501, $"expected 501, saw {events}");
    }

    [Fact]
    public async Task The_socket_is_0660_in_a_0750_directory_of_the_control_group()
    {
        await using var lab = await ControlLab.StartAsync();
        var (_, stat, _) = await ControlLab.RunAsync(["stat", "-c", "%a %G %F", lab.Directory, lab.SocketPath]);
        Assert.Equal($"750 {ControlLab.Group} directory\n660 {ControlLab.Group} socket\n", stat);
        Assert.Equal(AddressFamily.Unix, lab.Server.ListenerFamily);
    }

    [Fact]
    public async Task Nobody_is_refused_even_after_the_socket_is_opened_to_all_while_a_group_member_is_served()
    {
        await using var lab = await ControlLab.StartAsync();

        var member = await lab.CurlAsync("/v1/status", asUser: NobodyInUsers);
        Assert.True(member is { Exit: 0, Status: 200 }, $"nobody with supplementary group users should be served; saw {member}");

        var fenced = await lab.CurlAsync("/v1/status", asUser: Nobody);
        Assert.True(fenced.Exit != 0 && fenced.Status == 0, $"nobody should not even reach a 0660 socket in a 0750 directory; saw {fenced}");

        File.SetUnixFileMode(lab.Directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(lab.SocketPath, (UnixFileMode)0b110_110_110);
        var refused = await lab.CurlAsync("/v1/status", asUser: Nobody);
        Assert.True(refused.Status == 403, $"after chmod 0666 nobody should get 403 from SO_PEERCRED; saw {refused}");
        Assert.DoesNotContain("kill_switch", refused.Body, StringComparison.Ordinal);

        var admin = await lab.CurlAsync("/v1/status");
        Assert.True(admin.Status == 200, $"root is still served; saw {admin}");
    }

    [Fact]
    public async Task Malformed_oversized_and_slow_requests_get_4xx_and_the_server_keeps_serving()
    {
        await using var lab = await ControlLab.StartAsync(requestTimeout: TimeSpan.FromSeconds(1));

        var garbage = await lab.RawAsync("\u0016\u0003\u0001 hello\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 400 ", garbage, StringComparison.Ordinal);

        var bareLf = await lab.RawAsync("GET /v1/status HTTP/1.1\nHost: g\n\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 400 ", bareLf, StringComparison.Ordinal);

        var bigHead = await lab.RawAsync(Encoding.ASCII.GetBytes("GET /v1/status HTTP/1.1\r\nHost: g\r\nX: " + new string('a', 20_000) + "\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 413 ", bigHead, StringComparison.Ordinal);

        var bigBody = await lab.RawAsync(Encoding.ASCII.GetBytes("POST /v1/status HTTP/1.1\r\nHost: g\r\nContent-Length: 100000\r\n\r\n" + new string('b', 100_000)));
        Assert.StartsWith("HTTP/1.1 413 ", bigBody, StringComparison.Ordinal);

        var chunked = await lab.RawAsync("POST /v1/status HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 501 ", chunked, StringComparison.Ordinal);

        var watch = Stopwatch.StartNew();
        var slow = await lab.RawAsync("GET /v1/sta"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 408 ", slow, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"a half request should time out after 1 s; took {watch.Elapsed}");

        var after = await lab.CurlAsync("/v1/status");
        Assert.True(after.Status == 200, $"the server should keep serving; saw {after}");
    }

    [Fact]
    public async Task A_thousand_idle_clients_do_not_delay_an_admin_request_beyond_a_second()
    {
        await using var lab = await ControlLab.StartAsync(maxClients: 64);
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                idle.Add(socket);
                await ConnectRetryingAsync(socket, lab.SocketPath);
            }

            // Every idle connection has been accepted: only the newest 64 hold a slot, the others got 503.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (lab.Server.ActiveConnections > 64 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, TestContext.Current.CancellationToken);
            }

            Assert.True(lab.Server.ActiveConnections <= 64, $"at most 64 connections held; saw {lab.Server.ActiveConnections}");

            var watch = Stopwatch.StartNew();
            var admin = await ControlClient.CallAsync(lab.SocketPath, "GET", "/v1/status", TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            watch.Stop();
            Assert.True(admin is { Outcome: ControlCallOutcome.Answered, StatusCode: 200 }, $"admin request: {admin}");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"admin answered in {watch.Elapsed.TotalMilliseconds:0} ms with 1000 idle clients; expected < 1000 ms");

            var curl = Stopwatch.StartNew();
            var viaCurl = await lab.CurlAsync("/v1/status");
            Assert.True(viaCurl.Status == 200 && curl.Elapsed < TimeSpan.FromSeconds(1), $"curl under the flood: {viaCurl} in {curl.Elapsed.TotalMilliseconds:0} ms");

            var evicted = new byte[64];
            var first = await idle[0].ReceiveAsync(evicted, SocketFlags.None, TestContext.Current.CancellationToken);
            Assert.StartsWith("HTTP/1.1 503 ", Encoding.ASCII.GetString(evicted, 0, first), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }
        }
    }

    // A full accept backlog answers a non-blocking connect with EAGAIN; a flooding client simply tries again.
    private static async Task ConnectRetryingAsync(Socket socket, string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), TestContext.Current.CancellationToken);
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }
        }
    }

    [Fact]
    public async Task A_second_server_never_replaces_a_live_socket_but_a_stale_one_is_replaced()
    {
        await using var lab = await ControlLab.StartAsync();
        var second = await Assert.ThrowsAsync<InvalidOperationException>(() => ControlServer.StartAsync(
            new FakeAgent(), new ControlServerOptions { SocketPath = lab.SocketPath, Group = ControlLab.Group }, ct: TestContext.Current.CancellationToken));
        Assert.Contains("another agent is running", second.Message, StringComparison.Ordinal);
        Assert.Equal(200, (await lab.CurlAsync("/v1/status")).Status);

        var stalePath = Path.Combine(lab.Directory, "stale.sock");
        // A process that died without unlinking (.NET unlinks on dispose, so python binds and exits).
        var bind = await ControlLab.RunAsync(["python3", "-c", $"import socket; socket.socket(socket.AF_UNIX).bind('{stalePath}')"]);
        Assert.True(File.Exists(stalePath), $"a bound socket of an exited process leaves its file behind; python: {bind}");
        Assert.Equal(ExitCodes.AgentNotRunning, GalaxyCli.Run(["status", "--socket", stalePath], new StringWriter(), new StringWriter()));
        await using var replacement = await ControlServer.StartAsync(
            new FakeAgent(), new ControlServerOptions { SocketPath = stalePath, Group = ControlLab.Group }, ct: TestContext.Current.CancellationToken);
        Assert.Equal(200, (await ControlLab.CurlAsync(stalePath, "/v1/status")).Status);
    }

    [Fact]
    public async Task The_listener_is_a_unix_socket_that_ss_lists()
    {
        await using var lab = await ControlLab.StartAsync();
        var (_, listeners, _) = await ControlLab.RunAsync(["ss", "-xlnp"]);
        var line = listeners.Split('\n').FirstOrDefault(l => l.Contains(lab.SocketPath, StringComparison.Ordinal));
        Assert.True(line is not null, $"ss -xl should list {lab.SocketPath}; saw\n{listeners}");
        Assert.Contains($"pid={Environment.ProcessId},", line, StringComparison.Ordinal);
        Assert.Equal(AddressFamily.Unix, lab.Server.ListenerFamily);
    }

    [Fact]
    public async Task The_cli_prints_tables_and_json_and_exits_5_when_refused()
    {
        await using var lab = await ControlLab.StartAsync();
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(ExitCodes.Ok, GalaxyCli.Run(["egresses", "--socket", lab.SocketPath], output, error));
        Assert.StartsWith("EGRESS", output.ToString(), StringComparison.Ordinal);

        output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, GalaxyCli.Run(["connections", "--json", "--socket", lab.SocketPath], output, error));
        Assert.StartsWith("[{\"id\":7,", output.ToString(), StringComparison.Ordinal);

        output = new StringWriter();
        Assert.Equal(ExitCodes.Ok, GalaxyCli.Run(["status", "--socket", lab.SocketPath], output, error));
        Assert.Contains("kill switch: closed", output.ToString(), StringComparison.Ordinal);
        Assert.Empty(error.ToString());
    }
}
