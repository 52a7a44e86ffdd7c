using System.Net;
using System.Net.Sockets;
using System.Text;
using Galaxy.Agent.Tests.Routing.Rules;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;
using Galaxy.Netlink;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>
/// Rules and groups in the running agent: GeoIP-nearest egresses proved by the source address the server sees,
/// a rule pinned to one egress, and reloads that change new flows' way out without touching established ones.
/// </summary>
public sealed class RoutingRulesTests
{
    private const int PinnedPort = 81;

    [Fact]
    public async Task Each_destination_leaves_through_the_egress_nearest_its_country_and_a_dead_egress_moves_only_what_the_group_allows()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        await lab.StartWebServerAsync(RouterLab.FarWebServer);
        await lab.StartWebServerAsync(RouterLab.WebServer, PinnedPort);
        var nyc = await lab.StartVpsAsync();
        var lon = await lab.StartSecondVpsAsync();
        var geoip = Path.Combine(lab.Lab.WorkDirectory, "countries.mmdb");
        File.WriteAllBytes(geoip, MmdbFixtureWriter.Write(("203.0.113.0/25", "US"), ("203.0.113.128/25", "GB")));
        var config = lab.WriteConfig($"""
            [routing]
            geoip = "{geoip}"
            default = "near"

            [[group]]
            name = "near"
            strategy = "nearest"
            members = ["nyc", "lon"]

            [[rule]]
            name = "pinned"
            port = {PinnedPort}
            to = "nyc"

            [[rule]]
            name = "video"
            domain = [".video.test"]
            to = "lon"

            [[egress]]
            name = "nyc"
            type = "openvpn"
            profile = "{nyc}"
            exit = "US"

            [[egress]]
            name = "lon"
            type = "openvpn"
            profile = "{lon}"
            location = [51.5, -0.12]
            """);
        var agent = await lab.StartAgentAsync(config);
        await agent.WaitForOutputAsync("egress nyc is UP", TimeSpan.FromSeconds(30));
        await agent.WaitForOutputAsync("egress lon is UP", TimeSpan.FromSeconds(30));

        // The first VPS hands out 10.8.0.0/24, the second 10.9.0.0/24: the web server sees which tunnel carried the flow.
        await ExpectVia(lab, $"http://{RouterLab.WebServer}/", "10.8.0.", "a US destination leaves through nyc");
        await ExpectVia(lab, $"http://{RouterLab.FarWebServer}/", "10.9.0.", "a GB destination leaves through lon");
        await ExpectVia(lab, $"http://{RouterLab.WebServer}:{PinnedPort}/", "10.8.0.", "the pinned rule's flow leaves through nyc");

        // The domain rule sees the name in the request's first bytes (HTTP Host), whatever the address.
        var named = await lab.LanHost.RunAsync("curl", "-s", "-m", "3", "-H", "Host: www.video.test", $"http://{RouterLab.WebServer}/");
        Assert.True(named.StandardOutput.Contains("you are 10.9.0.", StringComparison.Ordinal),
            $"a request for www.video.test must leave through lon by the domain rule; saw {named.Describe()}");

        // The operator's view of the same decisions.
        var explained = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "route", "explain", $"{RouterLab.FarWebServer}:80", "--src", RouterLab.LanAddress,
            "--socket", lab.ControlSocket);
        Assert.True(explained.ExitCode == 0 && explained.StandardOutput.Contains("egress:  lon", StringComparison.Ordinal)
            && explained.StandardOutput.Contains("the destination's country GB", StringComparison.Ordinal), $"explain should name lon and why; {explained.Describe()}");

        await lab.VpsServer!.StopAsync();
        await agent.WaitForOutputAsync("egress nyc is DOWN", TimeSpan.FromSeconds(10));
        explained = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "explain", $"{RouterLab.WebServer}:{PinnedPort}", "--socket", lab.ControlSocket);
        Assert.True(explained.StandardOutput.Contains("pinned", StringComparison.Ordinal) && explained.StandardOutput.Contains("(none: refused)", StringComparison.Ordinal),
            $"explain should show the pinned rule refusing while nyc is down; {explained.Describe()}");

        // The group may fall back to its other member; the rule pinned to nyc may not: its flow is refused.
        await ExpectVia(lab, $"http://{RouterLab.WebServer}/", "10.9.0.", "with nyc down, the nearest group sends the US destination through lon");
        var pinned = await lab.CurlAsync($"http://{RouterLab.WebServer}:{PinnedPort}/");
        Assert.True(pinned is null, $"the flow pinned to nyc must be refused while nyc is down, not sent elsewhere; it was answered: {pinned}");
    }

    [Fact]
    public async Task A_reload_under_load_changes_new_flows_and_drops_no_established_connection()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        lab.Inet.Start("socat", $"TCP-LISTEN:7,bind={RouterLab.WebServer},fork,reuseaddr", "EXEC:cat");
        await lab.Inet.WaitForListenerAsync(7);
        string Config(string rules) => lab.WriteConfig($"""
            [routing]
            default = "out"

            {rules}

            [[egress]]
            name = "out"
            type = "direct"
            """);
        const string Quiet = """
            [[rule]]
            name = "no-smtp"
            port = 25
            to = "reject"
            """;
        const string Closed = """
            [[rule]]
            name = "no-web"
            port = 80
            to = "reject"
            """;
        var agent = await lab.StartAgentAsync(Config(Quiet));

        // Established flows: echo connections that must live through every reload.
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                var socket = NetworkNamespace.Run(lab.LanHost.NamespacePath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                held.Add(socket);
                await socket.ConnectAsync(IPEndPoint.Parse($"{RouterLab.WebServer}:7"), TestContext.Current.CancellationToken);
                await EchoAsync(socket, $"hello {i}");
            }

            // A bounded stream of new connections runs while the file is reloaded five times (rules that do not
            // touch port 80): every request must be answered.
            var load = Task.Run(() => RequestsAsync(lab, 150));
            for (var reload = 1; reload <= 5; reload++)
            {
                Config(reload % 2 == 1 ? Quiet + "\n" + """
                    [[rule]]
                    name = "no-telnet"
                    port = 23
                    to = "drop"
                    """ : Quiet);
                Assert.True(LabNative.Signal(agent.Pid, LabNative.SigHup), "the agent should be running");

                // Generous: on a loaded CI machine the reload (a SIGHUP handler .NET runs on the thread pool, then
                // the agent's event loop) is not hurried. (This used to fail when the suite ran under nohup: the agent
                // inherited SIGHUP as ignored, and .NET keeps that; DirectEgressAgentTests covers that case now.)
                await agent.WaitForOutputAsync("configuration reloaded", TimeSpan.FromSeconds(30), occurrences: reload);
            }

            var (answered, failures) = await load.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.True(failures.Count == 0, $"{failures.Count} of 150 requests failed during the reloads: {string.Join("; ", failures.Take(5))}");
            Assert.Equal(150, answered);

            // A file that does not load is refused and changes nothing: `galaxy reload` says why and exits 3.
            File.WriteAllText(Path.Combine(lab.Lab.WorkDirectory, "galaxy.toml"), "[router]\nlan = [\"lan0\"\n");
            var refusedReload = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "reload", "--socket", lab.ControlSocket);
            Assert.True(refusedReload.ExitCode == 3 && refusedReload.StandardError.Contains("galaxy.toml:", StringComparison.Ordinal),
                $"a refused reload exits 3 naming the file and line; {refusedReload.Describe()}");
            await agent.WaitForOutputAsync("refused, the running configuration stays", TimeSpan.FromSeconds(10));
            Assert.NotNull(await lab.CurlAsync($"http://{RouterLab.WebServer}/"));

            // New rules decide new flows only: port 80 is now rejected, the echo connections carry on.
            Config(Closed);
            var reloaded = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "reload", "--socket", lab.ControlSocket);
            Assert.True(reloaded.ExitCode == 0 && reloaded.StandardOutput.Contains("reloaded: 1 rule(s)", StringComparison.Ordinal), reloaded.Describe());
            var refused = await lab.CurlAsync($"http://{RouterLab.WebServer}/");
            Assert.True(refused is null, $"after the reload, port 80 must be rejected; it was answered: {refused}");
            for (var i = 0; i < held.Count; i++)
            {
                await EchoAsync(held[i], $"still here {i}");
            }
        }
        finally
        {
            foreach (var socket in held)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task Removing_an_egress_on_reload_ends_its_flows_only_and_adding_one_needs_a_restart()
    {
        await using var lab = await RouterLab.CreateAsync();
        lab.Inet.Start("socat", $"TCP-LISTEN:7,bind={RouterLab.WebServer},fork,reuseaddr", "EXEC:cat");
        lab.Inet.Start("socat", $"TCP-LISTEN:9,bind={RouterLab.WebServer},fork,reuseaddr", "EXEC:cat");
        await lab.Inet.WaitForListenerAsync(7);
        await lab.Inet.WaitForListenerAsync(9);
        const string Out = """
            [[egress]]
            name = "out"
            type = "direct"
            """;
        const string Spare = """
            [[egress]]
            name = "spare"
            type = "direct"
            """;
        var agent = await lab.StartAgentAsync(lab.WriteConfig($"""
            [routing]
            default = "out"

            [[rule]]
            name = "via-spare"
            port = 9
            to = "spare"

            {Out}

            {Spare}
            """));
        await agent.WaitForOutputAsync("egress spare is UP", TimeSpan.FromSeconds(10));

        using var kept = await ConnectAsync(lab, 7);
        using var doomed = await ConnectAsync(lab, 9);
        await EchoAsync(kept, "kept");
        await EchoAsync(doomed, "doomed");
        var flows = await lab.Router.RunCheckedAsync(Artifacts.GalaxyBinary, "connections", "--socket", lab.ControlSocket);
        Assert.Contains("spare", flows.StandardOutput, StringComparison.Ordinal);

        // Adding an egress is refused: the running configuration stays, with both egresses.
        lab.WriteConfig($"""
            [routing]
            default = "out"

            {Out}

            {Spare}

            [[egress]]
            name = "third"
            type = "direct"
            """);
        var added = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "reload", "--socket", lab.ControlSocket);
        Assert.True(added.ExitCode == 3 && added.StandardError.Contains("'third' (direct) was added", StringComparison.Ordinal), added.Describe());

        // Removing one takes it down for good and ends its flows; the other egress's flows carry on.
        lab.WriteConfig($"""
            [routing]
            default = "out"

            {Out}
            """);
        var removed = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "reload", "--socket", lab.ControlSocket);
        Assert.True(removed.ExitCode == 0 && removed.StandardOutput.Contains("removed egress(es): spare", StringComparison.Ordinal), removed.Describe());
        await agent.WaitForOutputAsync("egress spare is DOWN", TimeSpan.FromSeconds(10));
        await EchoAsync(kept, "still kept");
        var ended = await ReadOrEndAsync(doomed);
        Assert.True(ended, "the flow through the removed egress must end");
        var egresses = await lab.Router.RunCheckedAsync(Artifacts.GalaxyBinary, "egresses", "--socket", lab.ControlSocket);
        Assert.Contains("removed from the configuration", egresses.StandardOutput, StringComparison.Ordinal);

        // New flows to port 9 now go to the default, out.
        using var again = await ConnectAsync(lab, 9);
        await EchoAsync(again, "via out");
    }

    [Fact]
    public async Task A_lowest_latency_group_probes_its_members_through_themselves_and_shows_the_latency()
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig($"""
            [routing]
            default = "fast"

            [[group]]
            name = "fast"
            strategy = "lowest-latency"
            members = ["one", "two"]
            probe = "{RouterLab.WebServer}:80"
            probe-interval = 5

            [[egress]]
            name = "one"
            type = "direct"

            [[egress]]
            name = "two"
            type = "direct"
            """));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        string json;
        while (true)
        {
            json = (await lab.Router.RunCheckedAsync(Artifacts.GalaxyBinary, "egresses", "--json", "--socket", lab.ControlSocket)).StandardOutput;
            using var document = System.Text.Json.JsonDocument.Parse(json);
            if (document.RootElement.EnumerateArray().All(e => e.GetProperty("latency_ms").ValueKind == System.Text.Json.JsonValueKind.Number))
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, $"both members should have been probed within 20 s; egresses: {json}; {agent.Output()}");
            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        var body = await lab.CurlAsync($"http://{RouterLab.WebServer}/");
        Assert.True(body is not null, "the group should carry the flow through its fastest member");
        var explained = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "explain", $"{RouterLab.WebServer}:80", "--socket", lab.ControlSocket);
        Assert.True(explained.StandardOutput.Contains("lowest-latency", StringComparison.Ordinal), explained.Describe());
    }

    private static async Task<Socket> ConnectAsync(RouterLab lab, int port)
    {
        var socket = NetworkNamespace.Run(lab.LanHost.NamespacePath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        await socket.ConnectAsync(IPEndPoint.Parse($"{RouterLab.WebServer}:{port}"), TestContext.Current.CancellationToken);
        return socket;
    }

    /// <summary>True when the connection ends (FIN or reset) within 5 s after a probe; false when it still echoes.</summary>
    private static async Task<bool> ReadOrEndAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.SendAsync("probe"u8.ToArray(), SocketFlags.None, deadline.Token);
            var buffer = new byte[16];
            return await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static async Task ExpectVia(RouterLab lab, string url, string tunnelPrefix, string what)
    {
        var body = await lab.CurlAsync(url);
        Assert.True(body?.Contains($"you are {tunnelPrefix}", StringComparison.Ordinal) == true,
            $"{what}: expected the server to see {tunnelPrefix}x; saw {body ?? "(no answer)"}; agent: {lab.Agent?.Output()}");
    }

    /// <summary><paramref name="count"/> HTTP requests from the LAN, four at a time; how many were answered, and what went wrong.</summary>
    private static async Task<(int Answered, List<string> Failures)> RequestsAsync(RouterLab lab, int count)
    {
        var answered = 0;
        var failures = new List<string>();
        var next = -1;
        async Task Worker()
        {
            while (Interlocked.Increment(ref next) < count)
            {
                var error = await RequestAsync(lab);
                if (error is null)
                {
                    Interlocked.Increment(ref answered);
                }
                else
                {
                    lock (failures)
                    {
                        failures.Add(error);
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Worker()));
        return (answered, failures);
    }

    private static async Task<string?> RequestAsync(RouterLab lab)
    {
        using var socket = NetworkNamespace.Run(lab.LanHost.NamespacePath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await socket.ConnectAsync(IPEndPoint.Parse($"{RouterLab.WebServer}:80"), deadline.Token);
            await socket.SendAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), SocketFlags.None, deadline.Token);
            var buffer = new byte[512];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await socket.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, deadline.Token)) > 0)
            {
                total += read;
            }

            var text = Encoding.ASCII.GetString(buffer, 0, total);
            return text.StartsWith("HTTP/1.0 200", StringComparison.Ordinal) ? null : $"unexpected answer '{text}'";
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return e.Message;
        }
    }

    private static async Task EchoAsync(Socket socket, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await socket.SendAsync(bytes, SocketFlags.None, deadline.Token);
        var buffer = new byte[64];
        var received = 0;
        while (received < bytes.Length)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(received), SocketFlags.None, deadline.Token);
            Assert.True(read > 0, $"the established connection closed while waiting for the echo of '{text}'");
            received += read;
        }

        Assert.Equal(text, Encoding.ASCII.GetString(buffer, 0, received));
    }
}
