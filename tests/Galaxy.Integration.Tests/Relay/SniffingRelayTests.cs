using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Agent.Relay.Tcp;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// The relay with <see cref="TcpRelayOptions.SniffDomain"/> on: the route gets the name from the client's first
/// bytes (TLS SNI, HTTP Host) and picks the egress by it; protocols that give no name are routed without one.
/// </summary>
public sealed class SniffingRelayTests
{
    private static readonly TcpRelayOptions Sniffing = new() { SniffDomain = true, SniffTimeout = TimeSpan.FromMilliseconds(300) };

    /// <summary>For flows whose name the test expects: a client slowed by a busy machine must still be heard, not timed out.</summary>
    private static readonly TcpRelayOptions Patient = Sniffing with { SniffTimeout = TimeSpan.FromSeconds(5) };

    [Fact(Timeout = 30_000)]
    public async Task A_tls_flow_is_routed_by_its_server_name()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var routes = new RecordingRoute(lab, allowed: "secure.example.test");
        await using var relay = TcpRelayHarness.Start(lab, routes.Route, Patient);
        var dir = lab.Lab.WorkDirectory;
        await lab.Server.RunCheckedAsync("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", $"{dir}/key.pem", "-out", $"{dir}/cert.pem", "-subj", "/CN=secure.example.test", "-days", "1");
        lab.Server.Start("openssl", "s_server", "-quiet", "-accept", "443", "-cert", $"{dir}/cert.pem", "-key", $"{dir}/key.pem", "-www");
        await lab.Server.WaitForListenerAsync(443);

        var allowed = await Curl(lab, "https", "secure.example.test", 443);
        var refused = await Curl(lab, "https", "other.example.test", 443);

        Assert.True(allowed.Succeeded && allowed.StandardOutput.Contains("s_server", StringComparison.Ordinal), allowed.Describe());
        Assert.False(refused.Succeeded, $"a name the route refuses must not get through; {refused.Describe()}");
        Assert.Equal("secure.example.test, other.example.test", routes.Domains);
        Assert.All(routes.Destinations, d => Assert.Equal(TproxyLab.ServerEndPoint(443), d));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_http_flow_is_routed_by_its_host_header()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var routes = new RecordingRoute(lab, allowed: "plain.example.test");
        await using var relay = TcpRelayHarness.Start(lab, routes.Route, Patient);
        // The server reads the whole request head before it answers (closing with unread bytes would reset).
        var server = Path.Combine(lab.Lab.WorkDirectory, "http-server.sh");
        await File.WriteAllTextAsync(server, "while IFS= read -r line; do [ \"$line\" = \"$(printf '\\r')\" ] && break; done\n" +
            "printf 'HTTP/1.0 200 OK\\r\\n\\r\\nhello from the server'\n", TestContext.Current.CancellationToken);
        lab.Server.Start("socat", "TCP-LISTEN:80,reuseaddr,fork", $"SYSTEM:sh {server}");
        await lab.Server.WaitForListenerAsync(80);

        var allowed = await Curl(lab, "http", "Plain.Example.Test", 80);
        var refused = await Curl(lab, "http", "blocked.example.test", 80);

        Assert.True(allowed.Succeeded && allowed.StandardOutput == "hello from the server", allowed.Describe());
        Assert.False(refused.Succeeded, $"a name the route refuses must not get through; {refused.Describe()}");
        Assert.Equal("plain.example.test, blocked.example.test", routes.Domains);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_request_head_in_two_pieces_is_sniffed_and_reaches_the_server_whole_and_once()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var lab = await TproxyLab.CreateAsync();
        var routes = new RecordingRoute(lab, allowed: "split.example.test");
        await using var relay = TcpRelayHarness.Start(lab, routes.Route, Patient);
        lab.Server.Start("socat", "TCP-LISTEN:80,reuseaddr", "EXEC:cat");
        await lab.Server.WaitForListenerAsync(80);
        using var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(80), TimeSpan.FromSeconds(5));

        // The first piece is an incomplete head: the relay must take it, wait for the rest, and send both up in order.
        var first = "GET / HTTP/1.1\r\nHo"u8.ToArray();
        var second = "st: split.example.test\r\n\r\nbody"u8.ToArray();
        await LabTcp.SendAllAsync(client, first, cancellationToken);
        await Task.Delay(50, cancellationToken); // two segments, not one: the point of this test
        await LabTcp.SendAllAsync(client, second, cancellationToken);
        client.Shutdown(SocketShutdown.Send);
        var echoed = await Bounded.WithinAsync(ReadToEndAsync(client), TimeSpan.FromSeconds(5), "the echo of the whole request");

        Assert.Equal(Encoding.ASCII.GetString([.. first, .. second]), echoed);
        Assert.Equal("split.example.test", routes.Domains);
        var summary = await relay.NextClosedAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((FlowCloseReason.Completed, (long)(first.Length + second.Length)), (summary.Reason, summary.BytesUp));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_speaks_first_protocol_connects_after_the_sniff_timeout_without_a_name()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var lab = await TproxyLab.CreateAsync();
        var routes = new RecordingRoute(lab, allowed: null);
        await using var relay = TcpRelayHarness.Start(lab, routes.Route, Sniffing);
        lab.Server.Start("socat", "TCP-LISTEN:22,reuseaddr", "SYSTEM:echo SSH-2.0-Lab_banner; cat");
        await lab.Server.WaitForListenerAsync(22);
        var clock = Stopwatch.StartNew();
        using var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(22), TimeSpan.FromSeconds(5));

        // The client is silent until the banner comes.
        var buffer = new byte[256];
        var (bytes, error) = await LabTcp.ReceiveOnceAsync(client, buffer, TimeSpan.FromSeconds(5));
        clock.Stop();
        await LabTcp.SendAllAsync(client, "SSH-2.0-client\r\n"u8.ToArray(), cancellationToken);
        var (echoBytes, echoError) = await LabTcp.ReceiveOnceAsync(client, buffer.AsMemory(bytes), TimeSpan.FromSeconds(5));

        Assert.True(error == SocketError.Success && Encoding.ASCII.GetString(buffer, 0, bytes) == "SSH-2.0-Lab_banner\n",
            $"expected the server's banner, saw {error} \"{Encoding.ASCII.GetString(buffer, 0, bytes)}\"");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(250), $"the relay must have waited for the client's first bytes, banner came after {clock.ElapsedMilliseconds} ms");
        Assert.True(echoError == SocketError.Success && Encoding.ASCII.GetString(buffer, bytes, echoBytes) == "SSH-2.0-client\r\n",
            $"expected the client's line echoed after the timeout, saw {echoError} \"{Encoding.ASCII.GetString(buffer, bytes, echoBytes)}\"");
        Assert.Equal("(none)", routes.Domains);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_that_sends_nothing_and_closes_is_routed_at_once_without_a_name_and_the_relay_goes_on()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var routes = new RecordingRoute(lab, allowed: null);
        await using var relay = TcpRelayHarness.Start(lab, routes.Route, Sniffing with { SniffTimeout = TimeSpan.FromSeconds(20) });
        lab.Server.Start("socat", "TCP-LISTEN:80,reuseaddr,fork", "EXEC:cat");
        await lab.Server.WaitForListenerAsync(80);

        using (var silent = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(80), TimeSpan.FromSeconds(5)))
        {
            silent.Shutdown(SocketShutdown.Send);
            // Its FIN ends the sniff (not the 20 s timeout), and is forwarded: the server's echo ends too.
            var (bytes, error) = await LabTcp.ReceiveOnceAsync(silent, new byte[16], TimeSpan.FromSeconds(5));
            Assert.True((bytes, error) == (0, SocketError.Success), $"expected a clean end relayed back, saw {bytes} bytes, {error}");
        }

        var summary = await relay.NextClosedAsync(TimeSpan.FromSeconds(5));
        var after = await lab.Client.RunAsync(["socat", "-t", "5", "-", $"TCP:{TproxyLab.ServerAddress}:80"], stdin: "still relaying\n");

        Assert.Equal((FlowCloseReason.Completed, 0L, 0L), (summary.Reason, summary.BytesUp, summary.BytesDown));
        Assert.True(after.Succeeded && after.StandardOutput == "still relaying\n", after.Describe());
        Assert.Equal("(none), (none)", routes.Domains);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_that_resets_while_its_first_bytes_are_awaited_is_never_routed_nor_dialed()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var routes = new RecordingRoute(lab, allowed: null);
        await using var relay = TcpRelayHarness.Start(lab, routes.Route, Sniffing with { SniffTimeout = TimeSpan.FromSeconds(20) });
        using var server = LabTcp.Listen(lab.Server, TproxyLab.ServerEndPoint(443));

        using (var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(443), TimeSpan.FromSeconds(5)))
        {
            // The beginning of a TLS record, then a reset.
            await LabTcp.SendAllAsync(client, new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 }, TestContext.Current.CancellationToken);
            client.LingerState = new LingerOption(true, 0);
        }

        // A healthy flow after it proves the relay went on; the server then holds that one connection only.
        await Task.Delay(TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        Assert.Equal("", routes.Domains);
        Assert.False(server.Poll(TimeSpan.Zero, SelectMode.SelectRead), "the reset client was dialed upstream");
        using var healthy = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(443), TimeSpan.FromSeconds(5));
        healthy.Shutdown(SocketShutdown.Send);
        await Bounded.WaitUntilAsync(() => server.Poll(TimeSpan.Zero, SelectMode.SelectRead), TimeSpan.FromSeconds(5), "the healthy flow reaches the server",
            () => routes.Domains);
        Assert.Equal("(none)", routes.Domains);
    }

    private static Task<Galaxy.Integration.Tests.Labs.CommandResult> Curl(TproxyLab lab, string scheme, string name, int port) =>
        lab.Client.RunAsync("curl", "-sS", "-k", "--max-time", "5", "--resolve", $"{name}:{port}:{TproxyLab.ServerAddress}", $"{scheme}://{name}:{port}/");

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, TestContext.Current.CancellationToken)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    /// <summary>A route that records what it was asked and lets through only <c>allowed</c> (null: every flow).</summary>
    private sealed class RecordingRoute(TproxyLab lab, string? allowed)
    {
        private readonly IEgressDialer _wan = new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        private readonly IEgressDialer _reject = BlockDialer.Reject();
        private readonly ConcurrentQueue<(IPEndPoint Destination, string? Domain)> _asked = new();

        /// <summary>The names the route was given, in order, "(none)" for null.</summary>
        public string Domains => string.Join(", ", _asked.Select(a => a.Domain ?? "(none)"));

        public IPEndPoint[] Destinations => [.. _asked.Select(a => a.Destination)];

        public FlowRoute Route(IPEndPoint client, IPEndPoint destination, string? domain)
        {
            _asked.Enqueue((destination, domain));
            return new FlowRoute(allowed is null || domain == allowed ? _wan : _reject, domain ?? "no-name");
        }
    }
}
