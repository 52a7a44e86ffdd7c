using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Agent.Relay.Tcp;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// The TCP relay in a real TPROXY setup: the client connects to the server's address, the router (with
/// forwarding off) accepts the flow transparently, dials through its WAN device and splices the bytes.
/// </summary>
public sealed class TcpRelayTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_client_reaches_the_server_only_through_the_relay()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = RelayUnderTest.Start(lab);
        lab.Server.Start("socat", "TCP-LISTEN:80,reuseaddr", "SYSTEM:echo peer=$SOCAT_PEERADDR; cat");
        await lab.Server.WaitForListenerAsync(80);

        var exchange = await lab.Client.RunAsync(["socat", "-t", "5", "-", $"TCP:{TproxyLab.ServerAddress}:80"], stdin: "hello\n");

        Assert.True(exchange.Succeeded, exchange.Describe());
        // The server saw the router's WAN address: the flow was relayed, not forwarded.
        Assert.Equal($"peer={TproxyLab.RouterWanAddress}\nhello\n", exchange.StandardOutput);
        var summary = await relay.Closed.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(FlowCloseReason.Completed, summary.Reason);
        Assert.Equal(TproxyLab.ServerEndPoint(80), summary.Destination);
        Assert.Equal(IPAddress.Parse(TproxyLab.ClientAddress), summary.Client.Address);
        Assert.Equal((6L, (long)$"peer={TproxyLab.RouterWanAddress}\nhello\n".Length), (summary.BytesUp, summary.BytesDown));
    }

    [Fact(Timeout = 30_000)]
    public async Task Bulk_data_crosses_both_ways_intact_and_half_close_is_forwarded()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = RelayUnderTest.Start(lab);
        lab.Server.Start("socat", "TCP-LISTEN:80,reuseaddr", "EXEC:cat");
        await lab.Server.WaitForListenerAsync(80);

        // 24 MiB of random bytes go up; the server echoes them and closes only after the client's FIN
        // reached it through the relay, so the client's EOF proves half-close both ways.
        var payload = Path.Combine(lab.Lab.WorkDirectory, "payload.bin");
        var data = RandomNumberGenerator.GetBytes(24 << 20);
        await File.WriteAllBytesAsync(payload, data, TestContext.Current.CancellationToken);
        var expected = Convert.ToHexStringLower(SHA256.HashData(data));

        var transfer = await lab.Client.RunAsync(
            ["sh", "-c", $"socat -t 30 -b 262144 - TCP:{TproxyLab.ServerAddress}:80 < {payload} | sha256sum"],
            timeout: TimeSpan.FromSeconds(60));

        Assert.True(transfer.Succeeded, transfer.Describe());
        Assert.StartsWith(expected, transfer.StandardOutput, StringComparison.Ordinal);
        var summary = await relay.Closed.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal(FlowCloseReason.Completed, summary.Reason);
        Assert.Equal((data.LongLength, data.LongLength), (summary.BytesUp, summary.BytesDown));

        // The summary is reported as the flow closes; the loop forgets it right after.
        await Bounded.WaitUntilAsync(() => relay.Loop.FlowCount == 0, TimeSpan.FromSeconds(5), "the loop lets go of the flow",
            () => $"{relay.Loop.FlowCount} flows");
    }

    [Fact(Timeout = 30_000)]
    public async Task Last_bytes_that_came_with_a_fin_leave_with_it_in_one_segment()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = RelayUnderTest.Start(lab);
        using var listener = LabTcp.Listen(lab.Server, TproxyLab.ServerEndPoint(80));
        var capture = await lab.Router.CaptureAsync("lan0", "tcp port 80");
        var timeout = TimeSpan.FromSeconds(5);

        using var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(80), timeout);
        using var server = await Bounded.WithinAsync(listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask(), timeout, "the relay dials the server");

        // The server's answer and its FIN arrive at the relay in one segment (corked until the shutdown), as from
        // a server that answers and closes at once.
        const int TcpCork = 3;
        server.SetRawSocketOption(6 /* IPPROTO_TCP */, TcpCork, BitConverter.GetBytes(1));
        await LabTcp.SendAllAsync(server, new byte[300], TestContext.Current.CancellationToken);
        server.Shutdown(SocketShutdown.Send);

        var buffer = new byte[1024];
        var received = 0;
        while (true)
        {
            var (bytes, error) = await LabTcp.ReceiveOnceAsync(client, buffer, timeout);
            Assert.Equal(SocketError.Success, error);
            if (bytes == 0)
            {
                break;
            }

            received += bytes;
        }

        var packets = await capture.StopAsync();
        Assert.Equal(300, received);
        // Toward the client: one segment with the 300 bytes and the FIN, not the bytes and then a bare FIN.
        var down = packets.Where(p => p.IsTcp && p.SourcePort == 80 && (p.PayloadLength > 0 || p.TcpFlags.HasFlag(TcpFlags.Fin))).ToList();
        var described = string.Join("; ", down.Select(p => $"{p.TcpFlags} {p.PayloadLength} bytes"));
        Assert.True(down.Count == 1 && down[0] is { PayloadLength: 300 } && down[0].TcpFlags.HasFlag(TcpFlags.Fin), $"segments to the client: {described}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Bytes_queued_in_more_segments_than_the_pipe_has_slots_all_go_through()
    {
        // A one-page pipe has one slot: each splice into it takes one piece of a received segment, and the next is
        // refused while it holds bytes. The relay must then drain and read again, never wait for an edge that the
        // bytes already queued will not bring.
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = RelayUnderTest.Start(lab, pipeCapacity: Environment.SystemPageSize);
        using var listener = LabTcp.Listen(lab.Server, TproxyLab.ServerEndPoint(80));
        var timeout = TimeSpan.FromSeconds(10);
        using var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(80), timeout);
        using var server = await Bounded.WithinAsync(listener.AcceptAsync(TestContext.Current.CancellationToken).AsTask(), timeout, "the relay dials the server");

        var data = RandomNumberGenerator.GetBytes(1 << 20);
        await LabTcp.SendAllAsync(server, data, TestContext.Current.CancellationToken);
        server.Shutdown(SocketShutdown.Send);

        using var received = new MemoryStream();
        var buffer = new byte[65536];
        while (true)
        {
            var (bytes, error) = await LabTcp.ReceiveOnceAsync(client, buffer, timeout);
            Assert.True(error == SocketError.Success, $"after {received.Length} of {data.Length} bytes the client saw {error}");
            if (bytes == 0)
            {
                break;
            }

            received.Write(buffer, 0, bytes);
        }

        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received.ToArray()));
    }

    [Fact(Timeout = 30_000)]
    public async Task An_upstream_refusal_reaches_the_client_as_a_reset()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = RelayUnderTest.Start(lab);

        // Nothing listens on the server's port 81.
        var attempt = await lab.Client.RunAsync("curl", "-sS", "--max-time", "5", $"http://{TproxyLab.ServerAddress}:81/");

        AssertResetByRelay(attempt);
        Assert.Equal(1, relay.Relay.Refused);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_flow_the_route_refuses_is_reset_and_never_dialed()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var capture = await lab.Router.CaptureAsync("wan0", "tcp");
        using var loop = new SpliceLoop("test-splice", TimeSpan.FromMinutes(5));
        var listener = TcpRelay.Listen(new IPEndPoint(IPAddress.Loopback, TproxyLab.RelayPort), 128, lab.RouterSockets);
        await using var relay = new TcpRelay(listener, (_, _, _) => default, [loop], new TcpRelayOptions());
        relay.Start();
        lab.Server.Start("socat", "TCP-LISTEN:80,reuseaddr", "EXEC:cat");
        await lab.Server.WaitForListenerAsync(80);

        var attempt = await lab.Client.RunAsync("curl", "-sS", "--max-time", "5", $"http://{TproxyLab.ServerAddress}:80/");

        var packets = await capture.StopAsync();
        AssertResetByRelay(attempt);
        Assert.Equal(1, relay.Refused);
        Assert.Empty(packets);
    }

    /// <summary>
    /// The relay accepted the connection (TPROXY completes the handshake) and reset it: curl reports the reset
    /// as a receive failure (56) or, when it lands before curl has checked its connect, as a failed connect
    /// (7) — never the timeout (28) that a relay leaving the client hanging would give.
    /// </summary>
    private static void AssertResetByRelay(CommandResult attempt)
    {
        Assert.True(CurlExit.Reset(attempt.ExitCode), $"expected curl to see a reset (exit 7, 55 or 56); {attempt.Describe()}");
        Assert.DoesNotContain("timed out", attempt.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A relay in the router's namespace, dialing through wan0 with the egress mark.</summary>
    private sealed class RelayUnderTest : IAsyncDisposable
    {
        private RelayUnderTest(TcpRelay relay, SpliceLoop loop, System.Threading.Channels.Channel<FlowSummary> closed)
        {
            Relay = relay;
            Loop = loop;
            Closed = closed;
        }

        public TcpRelay Relay { get; }

        public SpliceLoop Loop { get; }

        public System.Threading.Channels.Channel<FlowSummary> Closed { get; }

        public static RelayUnderTest Start(TproxyLab lab, int pipeCapacity = SplicePipe.PreferredCapacity)
        {
            var closed = System.Threading.Channels.Channel.CreateUnbounded<FlowSummary>();
            var loop = new SpliceLoop("test-splice", TimeSpan.FromMinutes(5), pipeCapacity: pipeCapacity);
            var dialer = new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
            var listener = TcpRelay.Listen(new IPEndPoint(IPAddress.Loopback, TproxyLab.RelayPort), 128, lab.RouterSockets);
            var relay = new TcpRelay(listener, (_, _, _) => new FlowRoute(dialer), [loop], new TcpRelayOptions(), s => closed.Writer.TryWrite(s));
            relay.Start();
            return new RelayUnderTest(relay, loop, closed);
        }

        public async ValueTask DisposeAsync()
        {
            await Relay.DisposeAsync();
            Loop.Dispose();
        }
    }
}
