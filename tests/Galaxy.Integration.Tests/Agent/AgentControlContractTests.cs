using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Galaxy.Agent.Control;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>
/// The contract of every control endpoint against the running agent (the published binary in the router lab),
/// one agent for the whole class: curl and the CLI as an operator uses them, someone who may not, the
/// listeners, bad and oversized requests, an idle flood, the event stream and lockdown.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class AgentControlContractTests(AgentControlFixture agent) : IClassFixture<AgentControlFixture>
{
    private static readonly string[] Nobody = ["--reuid=nobody", "--regid=nogroup", "--clear-groups"];

    [Fact]
    public async Task Status_gives_version_uptime_kill_switch_ruleset_check_and_egress_summary()
    {
        using var status = await agent.GetJsonAsync("/v1/status");
        var root = status.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("version").GetString()), status.RootElement.ToString());
        var started = root.GetProperty("started_at").GetDateTimeOffset();
        Assert.True(started > DateTimeOffset.UtcNow.AddMinutes(-5) && started <= DateTimeOffset.UtcNow, $"started_at {started} is not a recent start");
        Assert.Equal("closed", root.GetProperty("kill_switch").GetString());
        Assert.True(root.GetProperty("ruleset_verified").GetBoolean(), root.ToString());
        Assert.Equal((1, 1), (root.GetProperty("egresses").GetProperty("total").GetInt32(), root.GetProperty("egresses").GetProperty("up").GetInt32()));

        var cli = await agent.CliAsync("status");
        Assert.True(cli.ExitCode == 0 && cli.StandardOutput.Contains("kill switch: closed", StringComparison.Ordinal)
            && cli.StandardOutput.Contains("egresses:    1 of 1 up", StringComparison.Ordinal), cli.Describe());
        var json = await agent.CliAsync("status", "--json");
        Assert.True(json.ExitCode == 0, json.Describe());
        using var parsed = JsonDocument.Parse(json.StandardOutput);
        Assert.Equal("closed", parsed.RootElement.GetProperty("kill_switch").GetString());
    }

    [Fact]
    public async Task Egresses_give_state_since_reason_bytes_and_connections()
    {
        Assert.NotNull(await agent.Lab.CurlAsync($"http://{RouterLab.WebServer}/"));
        using var egresses = await agent.GetJsonAsync("/v1/egresses");
        var out_ = egresses.RootElement.EnumerateArray().Single();
        Assert.Equal(("out", "direct", true), (out_.GetProperty("name").GetString(), out_.GetProperty("kind").GetString(), out_.GetProperty("up").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, out_.GetProperty("reason").ValueKind);
        Assert.True(out_.GetProperty("since").GetDateTimeOffset() <= DateTimeOffset.UtcNow, out_.ToString());
        Assert.True(out_.GetProperty("bytes_up").GetInt64() > 0 && out_.GetProperty("bytes_down").GetInt64() > 0, $"the relayed request's bytes are missing: {out_}");
        Assert.True(out_.GetProperty("connections").GetInt32() >= 0, out_.ToString());

        var cli = await agent.CliAsync("egresses");
        Assert.True(cli.ExitCode == 0 && cli.StandardOutput.StartsWith("EGRESS", StringComparison.Ordinal) && cli.StandardOutput.Contains("out", StringComparison.Ordinal), cli.Describe());
    }

    [Fact]
    public async Task Egresses_count_the_flows_they_could_not_dial_with_the_last_error()
    {
        // Nothing listens on the web server's port 81: the relay's connect is refused, and the client is reset.
        var curl = await agent.Lab.LanHost.RunAsync("curl", "-sS", "-m", "5", $"http://{RouterLab.WebServer}:81/");
        Assert.True(CurlExit.ResetOrClosed(curl.ExitCode), curl.Describe());

        using var egresses = await agent.GetJsonAsync("/v1/egresses");
        var out_ = egresses.RootElement.EnumerateArray().Single();
        Assert.True(out_.GetProperty("dial_failures").GetInt64() >= 1, out_.ToString());
        Assert.Equal($"{RouterLab.WebServer}:81: connection refused", out_.GetProperty("last_dial_error").GetString());
        Assert.InRange(out_.GetProperty("last_dial_error_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        await agent.Agent.WaitForOutputAsync("through out could not be dialed", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Connections_list_a_live_flow_with_its_rule_and_closing_it_resets_it()
    {
        agent.Lab.Inet.Start("socat", $"TCP-LISTEN:9000,bind={RouterLab.WebServer},fork,reuseaddr", "EXEC:sleep 30");
        await agent.Lab.Inet.WaitForListenerAsync(9000);
        var client = agent.Lab.LanHost.Start("socat", $"TCP:{RouterLab.WebServer}:9000", "EXEC:sleep 30");

        var flow = await WaitForAsync(async () =>
        {
            using var connections = await agent.GetJsonAsync("/v1/connections");
            return connections.RootElement.EnumerateArray()
                .Where(c => c.GetProperty("destination").GetString() == $"{RouterLab.WebServer}:9000" && c.GetProperty("connected").GetBoolean())
                .Select(c => c.Clone())
                .Cast<JsonElement?>()
                .FirstOrDefault();
        }, "a relayed flow to port 9000");
        var id = flow.GetProperty("id").GetInt64();
        Assert.Equal(("tcp", RouterLab.LanAddress, "out"), (flow.GetProperty("protocol").GetString(), flow.GetProperty("client").GetString()!.Split(':')[0], flow.GetProperty("egress").GetString()));
        Assert.True(flow.TryGetProperty("rule", out var rule) && rule.ValueKind is JsonValueKind.Null or JsonValueKind.String, $"every flow names its rule (null: the default group): {flow}");
        Assert.True(flow.GetProperty("started").GetDateTimeOffset() <= DateTimeOffset.UtcNow, flow.ToString());

        var table = await agent.CliAsync("connections");
        Assert.True(table.ExitCode == 0 && table.StandardOutput.Contains("RULE", StringComparison.Ordinal) && table.StandardOutput.Contains($"{RouterLab.WebServer}:9000", StringComparison.Ordinal), table.Describe());

        var close = await agent.CurlAsync($"/v1/connections/{id}", "DELETE");
        Assert.True(close.Status == 200 && close.Body == $"{{\"closed\":{id}}}", $"DELETE /v1/connections/{id}: {close}");
        // The LAN client's connection ends at once (its socat would otherwise hold it for 30 s).
        await client.WaitForExitAsync(TimeSpan.FromSeconds(5));
        await WaitForAsync(async () =>
        {
            using var connections = await agent.GetJsonAsync("/v1/connections");
            return connections.RootElement.EnumerateArray().Any(c => c.GetProperty("id").GetInt64() == id) ? (bool?)null : true;
        }, $"flow {id} gone from /v1/connections");
        Assert.Equal(404, (await agent.CurlAsync($"/v1/connections/{id}", "DELETE")).Status);
    }

    [Fact]
    public async Task Metrics_carry_egress_dns_relay_and_kill_switch_counters_read_from_nft()
    {
        var dig = await agent.Lab.LanHost.RunAsync("dig", "+time=2", "+tries=1", "+short", $"@{RouterLab.DnsServer}", "example.test", "A");
        Assert.True(dig.ExitCode == 0 && dig.StandardOutput.Trim() == "192.0.2.80", dig.Describe());
        await agent.Lab.LanHost.RunAsync("ping", "-c", "1", "-W", "1", RouterLab.WebServer); // ICMP from the LAN: dropped and counted

        // The kernel's counters and the metrics agree, chain by chain (read again if a packet slipped in between).
        string text = "";
        string fromNft = "", fromMetric = "-";
        for (var attempt = 0; attempt < 3 && fromNft != fromMetric; attempt++)
        {
            var chains = (string[])["prerouting", "input", "forward", "output"];
            var counted = new List<string>();
            foreach (var chain in chains)
            {
                counted.Add($"{chain}={await NftCounterPacketsAsync(chain)}");
            }

            fromNft = string.Join(" ", counted);
            var metrics = await agent.CurlAsync("/v1/metrics");
            Assert.True(metrics.Status == 200, $"metrics: {metrics}");
            text = metrics.Body;
            fromMetric = string.Join(" ", chains.Select(c => $"{c}={Sample(text, $"galaxy_killswitch_dropped_packets_total{{chain=\"{c}\"}}")}"));
        }

        Assert.True(fromNft == fromMetric, $"drop counters: nft says {fromNft}, the metrics {fromMetric}\n{text}");
        Assert.True(Sample(text, "galaxy_killswitch_dropped_packets_total{chain=\"prerouting\"}") >= 1, $"the LAN ping was dropped and counted in prerouting:\n{text}");
        foreach (var name in (string[])["galaxy_egress_up{egress=\"out\"}", "galaxy_egress_bytes_total{egress=\"out\",direction=\"up\"}", "galaxy_connections{egress=\"out\"}",
                     "galaxy_killswitch_dropped_bytes_total{chain=\"forward\"}", "galaxy_relay_refused_total{protocol=\"tcp\"}", "galaxy_relay_dial_failures_total{protocol=\"tcp\"}",
                     "galaxy_relay_refused_total{protocol=\"udp\"}", "galaxy_dns_cache_hits_total", "galaxy_dns_servfail_total", "galaxy_dns_upstream_failures_total", "galaxy_lockdown"])
        {
            Sample(text, name);
        }

        Assert.Equal(1UL, Sample(text, "galaxy_egress_up{egress=\"out\"}"));
        Assert.True(Sample(text, "galaxy_dns_queries_total") >= 1 && Sample(text, "galaxy_dns_upstream_queries_total") >= 1, $"the LAN query went through the resolver:\n{text}");
        Assert.Equal(0UL, Sample(text, "galaxy_lockdown"));
    }

    [Fact]
    public async Task Lockdown_through_the_socket_stops_every_LAN_flow_streams_its_events_and_is_released()
    {
        var events = agent.Lab.Router.Start(Artifacts.GalaxyBinary, "events", "--socket", agent.Socket);
        var raw = agent.Lab.Router.Start("curl", "-sN", "--unix-socket", agent.Socket, "http://galaxy/v1/events");

        // Each stream starts with the current state: the kill switch, then every egress.
        await events.WaitForOutputAsync("kill switch closed", TimeSpan.FromSeconds(5));
        await events.WaitForOutputAsync("egress out UP", TimeSpan.FromSeconds(5));
        await raw.WaitForOutputAsync("\"event\":\"egress_up\",", TimeSpan.FromSeconds(5));
        Assert.StartsWith("{\"event\":\"kill_switch\",", raw.StandardOutput, StringComparison.Ordinal);

        try
        {
            var on = await agent.CliAsync("lockdown", "--agent", "on");
            Assert.True(on.ExitCode == 0 && on.StandardOutput.StartsWith("lockdown: ON", StringComparison.Ordinal) && on.StandardOutput.Contains("verified", StringComparison.Ordinal), on.Describe());

            await raw.WaitForOutputAsync("\"event\":\"kill_switch\"", TimeSpan.FromSeconds(5), occurrences: 2);
            await events.WaitForOutputAsync("kill switch lockdown", TimeSpan.FromSeconds(5));
            await events.WaitForOutputAsync("egress out DOWN: lockdown", TimeSpan.FromSeconds(5));
            var lines = raw.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains(lines, l => l.Contains("\"event\":\"egress_down\",", StringComparison.Ordinal) && l.Contains("\"egress\":\"out\",\"reason\":\"lockdown\"", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.Contains("\"state\":\"lockdown\",\"ruleset_verified\":true", StringComparison.Ordinal));

            using (var status = await agent.GetJsonAsync("/v1/status"))
            {
                Assert.Equal("lockdown", status.RootElement.GetProperty("kill_switch").GetString());
                Assert.True(status.RootElement.GetProperty("ruleset_verified").GetBoolean(), status.RootElement.ToString());
            }

            using (var egresses = await agent.GetJsonAsync("/v1/egresses"))
            {
                var out_ = egresses.RootElement.EnumerateArray().Single();
                Assert.True(!out_.GetProperty("up").GetBoolean() && out_.GetProperty("reason").GetString() == "lockdown", out_.ToString());
            }

            var capture = await agent.Lab.Router.CaptureAsync("wan0");
            await LeakProbes.SendAsync(agent.Lab.LanHost);
            var leaks = LeakProbes.Leaks(await capture.StopAsync());
            Assert.True(leaks.Count == 0, $"in lockdown nothing of the LAN may leave; leaked: {string.Join("; ", leaks)}");
            Assert.Null(await agent.Lab.CurlAsync($"http://{RouterLab.WebServer}/", 2));
            var metrics = await agent.CurlAsync("/v1/metrics");
            Assert.Equal(1UL, Sample(metrics.Body, "galaxy_lockdown"));
            Assert.True(Sample(metrics.Body, "galaxy_relay_refused_total{protocol=\"tcp\"}") >= 1, $"the refused LAN connections are counted:\n{metrics.Body}");

            var again = await agent.CurlAsync("/v1/lockdown", "POST");
            Assert.True(again.Status == 200 && again.Body.Contains("\"lockdown\":true", StringComparison.Ordinal), $"a second POST is idempotent: {again}");
        }
        finally
        {
            var off = await agent.CurlAsync("/v1/lockdown", "DELETE");
            Assert.True(off.Status == 200 && off.Body == """{"lockdown":false,"kill_switch":"closed","ruleset_verified":true}""", $"DELETE /v1/lockdown: {off}");
        }

        await events.WaitForOutputAsync("egress out UP", TimeSpan.FromSeconds(5), occurrences: 2);
        await events.WaitForOutputAsync("kill switch closed", TimeSpan.FromSeconds(5), occurrences: 2);
        Assert.NotNull(await agent.Lab.CurlAsync($"http://{RouterLab.WebServer}/"));
        Assert.Equal(405, (await agent.CurlAsync("/v1/lockdown")).Status);

        // Ctrl-C ends `galaxy events` with 0; curl's stream is still open until we stop it.
        await events.StopAsync(LabNative.SigInt, TimeSpan.FromSeconds(5));
        Assert.True(events.ExitCode == 0, $"galaxy events after Ctrl-C: {events.ExitCode}: {events.Output()}");
        Assert.False(raw.HasExited, $"the raw stream ended on its own: {raw.Output()}");
        await raw.StopAsync();
    }

    [Fact]
    public async Task Nobody_is_refused_also_after_the_socket_is_opened_to_all()
    {
        var fenced = await agent.CurlAsync("/v1/status", asUser: Nobody);
        Assert.True(fenced.Status == 0 && fenced.Exit != 0, $"nobody should not reach a 0660 socket in a 0750 directory; saw {fenced}");
        var fencedCli = await agent.Lab.Router.RunAsync("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", Artifacts.GalaxyBinary, "status", "--socket", agent.Socket);
        Assert.True(fencedCli.ExitCode == 5 && fencedCli.StandardError.Contains("access denied", StringComparison.Ordinal), fencedCli.Describe());

        var directory = Path.GetDirectoryName(agent.Socket)!;
        var (socketMode, directoryMode) = (File.GetUnixFileMode(agent.Socket), File.GetUnixFileMode(directory));
        Assert.Equal(((UnixFileMode)0b110_110_000, (UnixFileMode)0b111_101_000), (socketMode, directoryMode));
        try
        {
            File.SetUnixFileMode(agent.Socket, (UnixFileMode)0b110_110_110);
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            var reach = await agent.Lab.Router.RunAsync("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "test", "-w", agent.Socket);
            Assert.True(reach.ExitCode == 0, $"after chmod nobody must be able to open the socket, or the refusal proves nothing: {reach.Describe()}");

            var refused = await agent.CurlAsync("/v1/status", asUser: Nobody);
            Assert.True(refused.Status == 403 && !refused.Body.Contains("kill_switch", StringComparison.Ordinal), $"after chmod 0666 nobody should get 403 from SO_PEERCRED; saw {refused}");
            foreach (var (method, path) in (List<(string, string)>)[("POST", "/v1/lockdown"), ("DELETE", "/v1/connections/1"), ("GET", "/v1/metrics"), ("GET", "/v1/events")])
            {
                var attempt = await agent.CurlAsync(path, method, Nobody);
                Assert.True(attempt.Status == 403, $"{method} {path} as nobody: {attempt}");
            }

            var cli = await agent.Lab.Router.RunAsync("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", Artifacts.GalaxyBinary, "lockdown", "--agent", "on", "--socket", agent.Socket);
            Assert.True(cli.ExitCode == 5 && cli.StandardError.Contains("access denied", StringComparison.Ordinal), cli.Describe());
            using var status = await agent.GetJsonAsync("/v1/status");
            Assert.Equal("closed", status.RootElement.GetProperty("kill_switch").GetString());
        }
        finally
        {
            File.SetUnixFileMode(agent.Socket, socketMode);
            File.SetUnixFileMode(directory, directoryMode);
        }
    }

    [Fact]
    public async Task The_control_API_is_on_no_inet_socket_only_the_relay_and_resolver_listen_on_loopback()
    {
        var inet = await agent.Lab.Router.RunCheckedAsync("ss", "-H", "-lntup");
        var galaxy = inet.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("\"galaxy\"", StringComparison.Ordinal)).ToList();
        Assert.True(galaxy.Count > 0, $"ss should list the relay's listeners:\n{inet.StandardOutput}");
        foreach (var line in galaxy)
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var (protocol, local) = (fields[0], fields[4]);
            var allowed = local is "127.0.0.1:7890" or "[::1]:7890" or "127.0.0.1:5353" or "[::1]:5353" or "127.0.0.1:53"
                // The resolver's reply sockets: unconnected transparent UDP bound to the resolver a LAN client asked
                // (port 53), so the answer comes from where the question went; they receive nothing (Dns/DnsReplySockets).
                || (protocol == "udp" && local.EndsWith(":53", StringComparison.Ordinal));
            Assert.True(allowed, $"a galaxy inet socket other than the TPROXY relay (7890), the resolvers (5353, 53) on loopback and DNS reply sockets: {line}");
        }

        Assert.DoesNotContain(galaxy, l => l.StartsWith("tcp", StringComparison.Ordinal) && !l.Contains(" 127.0.0.1:", StringComparison.Ordinal)
            && !l.Contains(" [::1]:", StringComparison.Ordinal));

        var unix = await agent.Lab.Router.RunCheckedAsync("ss", "-H", "-xlp");
        var control = unix.StandardOutput.Split('\n').Where(l => l.Contains(agent.Socket, StringComparison.Ordinal)).ToList();
        Assert.True(control.Count == 1 && control[0].Contains($"pid={agent.Agent.Pid},", StringComparison.Ordinal), $"the control socket is the agent's Unix listener:\n{unix.StandardOutput}");
    }

    [Fact]
    public async Task Malformed_and_oversized_requests_get_4xx_and_the_agent_keeps_serving()
    {
        Assert.StartsWith("HTTP/1.1 400 ", await RawAsync("\u0016\u0003\u0001 hello\r\n\r\n"u8.ToArray()), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400 ", await RawAsync("GET /v1/status HTTP/1.1\nHost: g\n\n"u8.ToArray()), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400 ", await RawAsync("GET /v1/status HTTP/1.1\r\nHost: g\r\nContent-Length: x\r\n\r\n"u8.ToArray()), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 413 ", await RawAsync(Encoding.ASCII.GetBytes("GET /v1/status HTTP/1.1\r\nHost: g\r\nX: " + new string('a', 20_000) + "\r\n\r\n")), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 413 ", await RawAsync(Encoding.ASCII.GetBytes("POST /v1/lockdown HTTP/1.1\r\nHost: g\r\nContent-Length: 100000\r\n\r\n" + new string('b', 100_000))), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404 ", await RawAsync("GET /v2/status HTTP/1.1\r\nHost: g\r\n\r\n"u8.ToArray()), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 405 ", await RawAsync("PUT /v1/status HTTP/1.1\r\nHost: g\r\n\r\n"u8.ToArray()), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400 ", await RawAsync("DELETE /v1/connections/abc HTTP/1.1\r\nHost: g\r\n\r\n"u8.ToArray()), StringComparison.Ordinal);

        var watch = Stopwatch.StartNew();
        Assert.StartsWith("HTTP/1.1 408 ", await RawAsync("GET /v1/sta"u8.ToArray()), StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"a half request should time out after 5 s; took {watch.Elapsed}");

        using var status = await agent.GetJsonAsync("/v1/status");
        Assert.Equal("closed", status.RootElement.GetProperty("kill_switch").GetString());
        Assert.False(agent.Agent.HasExited, agent.Agent.Output());
    }

    [Fact]
    public async Task A_thousand_idle_clients_do_not_delay_an_admin_request_beyond_a_second()
    {
        var idle = new List<Socket>();
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                idle.Add(socket);
                await ConnectRetryingAsync(socket, agent.Socket);
            }

            var watch = Stopwatch.StartNew();
            var admin = await ControlClient.CallAsync(agent.Socket, "GET", "/v1/status", TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            watch.Stop();
            Assert.True(admin is { Outcome: ControlCallOutcome.Answered, StatusCode: 200 }, $"admin request: {admin}");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"admin answered in {watch.Elapsed.TotalMilliseconds:0} ms with 1000 idle clients; expected < 1000 ms");

            var curl = Stopwatch.StartNew();
            var viaCurl = await agent.CurlAsync("/v1/status");
            Assert.True(viaCurl.Status == 200 && curl.Elapsed < TimeSpan.FromSeconds(1), $"curl under the flood: {viaCurl} in {curl.Elapsed.TotalMilliseconds:0} ms");

            var evicted = new byte[64];
            var first = await idle[0].ReceiveAsync(evicted, SocketFlags.None, TestContext.Current.CancellationToken);
            Assert.StartsWith("HTTP/1.1 503 ", Encoding.ASCII.GetString(evicted, 0, first), StringComparison.Ordinal);
            var descriptors = Directory.GetFiles($"/proc/{agent.Agent.Pid}/fd").Length;
            Assert.True(descriptors < 500, $"the agent holds {descriptors} descriptors with 1000 idle clients; the cap (64) should bound them");
        }
        finally
        {
            foreach (var socket in idle)
            {
                socket.Dispose();
            }
        }

        Assert.False(agent.Agent.HasExited, agent.Agent.Output());
    }

    [Fact]
    public void The_configured_log_level_is_in_force_without_a_command_line_override()
    {
        // [log] level = "debug" and no --log-level: the agent logs its kernel changes at debug.
        Assert.True(agent.Agent.StandardError.Contains(" dbug ", StringComparison.Ordinal), $"expected debug lines on stderr; saw: {agent.Agent.StandardError[..Math.Min(2000, agent.Agent.StandardError.Length)]}");
    }

    /// <summary>The packets counted by the rules of one chain of table inet galaxy, as nft reports them.</summary>
    private async Task<ulong> NftCounterPacketsAsync(string chain)
    {
        var listed = await agent.Lab.Router.RunCheckedAsync("nft", "-j", "list", "chain", "inet", "galaxy", chain);
        using var json = JsonDocument.Parse(listed.StandardOutput);
        ulong packets = 0;
        foreach (var item in json.RootElement.GetProperty("nftables").EnumerateArray())
        {
            if (item.TryGetProperty("rule", out var rule))
            {
                foreach (var expression in rule.GetProperty("expr").EnumerateArray())
                {
                    if (expression.TryGetProperty("counter", out var counter))
                    {
                        packets += counter.GetProperty("packets").GetUInt64();
                    }
                }
            }
        }

        return packets;
    }

    private static ulong Sample(string metrics, string name)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"metric {name} is missing:\n{metrics}");
        return ulong.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what)
        where T : struct
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"waited 10 s for {what}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private async Task<string> RawAsync(byte[] request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(agent.Socket), TestContext.Current.CancellationToken);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, TestContext.Current.CancellationToken);
        }
        catch (SocketException)
        {
            // The agent may close before a too-large request is all sent; its answer is still readable.
        }

        var answer = new MemoryStream();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
        }

        return Encoding.ASCII.GetString(answer.ToArray());
    }

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
}
