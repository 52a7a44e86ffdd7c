using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Egress.Proxy;
using Galaxy.Agent.Relay.Splice;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// Correctness of the TCP relay with client and server as sockets of the test process in the lab's
/// namespaces: bulk integrity both ways, half-close, resets and refusals.
/// </summary>
public sealed class TcpRelayProofTests(ITestOutputHelper output)
{
    private const int Port = 9000;

    [Fact(Timeout = 60_000)]
    public async Task A_gibibyte_crosses_each_way_with_matching_hashes()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = TcpRelayHarness.Start(lab);
        using var listener = LabTcp.Listen(lab.Server, TproxyLab.ServerEndPoint(Port));

        // The server hashes what it receives (the way up) and echoes it; after the client's FIN it finishes.
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptAsync(cancellationToken);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[DeterministicStream.BlockSize];
            long total = 0;
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
                await LabTcp.SendAllAsync(socket, buffer.AsMemory(0, read), cancellationToken);
            }

            socket.Shutdown(SocketShutdown.Send);
            return (total, hash.GetHashAndReset());
        }, cancellationToken);
        using var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(Port), TimeSpan.FromSeconds(5));

        var clock = Stopwatch.StartNew();
        var sent = Task.Run(() => new DeterministicStream(seed: 4).SendAsync(client, 1024, shutdown: true, cancellationToken), cancellationToken);
        var received = Task.Run(() => DeterministicStream.ReceiveAllAsync(client, cancellationToken), cancellationToken);
        var limit = TimeSpan.FromSeconds(45);
        var sentHash = await Bounded.WithinAsync(sent, limit, "sending 1 GiB up");
        var (upBytes, upHash) = await Bounded.WithinAsync(server, limit, "the server receiving 1 GiB and echoing it");
        var (downBytes, downHash) = await Bounded.WithinAsync(received, limit, "receiving 1 GiB down");
        clock.Stop();

        const long GiB = 1L << 30;
        Assert.Equal(GiB, upBytes);
        Assert.Equal(GiB, downBytes);
        Assert.Equal(Convert.ToHexStringLower(sentHash), Convert.ToHexStringLower(upHash));
        Assert.Equal(Convert.ToHexStringLower(sentHash), Convert.ToHexStringLower(downHash));
        var summary = await relay.NextClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FlowCloseReason.Completed, summary.Reason);
        Assert.Equal((GiB, GiB), (summary.BytesUp, summary.BytesDown));
        output.WriteLine($"1 GiB each way through the relay in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_that_half_closes_still_receives_the_whole_reply()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = TcpRelayHarness.Start(lab);
        using var listener = LabTcp.Listen(lab.Server, TproxyLab.ServerEndPoint(Port));

        // The server answers only after the request has ended (the client's FIN reached it through the relay).
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptAsync(cancellationToken);
            var (requestBytes, _) = await DeterministicStream.ReceiveAllAsync(socket, cancellationToken);
            var replyHash = await new DeterministicStream(seed: 7).SendAsync(socket, 32, shutdown: true, cancellationToken);
            return (requestBytes, replyHash);
        }, cancellationToken);
        using var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(Port), TimeSpan.FromSeconds(5));

        await LabTcp.SendAllAsync(client, "GET /\n"u8.ToArray(), cancellationToken);
        client.Shutdown(SocketShutdown.Send);
        var (replyBytes, replyHash) = await Bounded.WithinAsync(DeterministicStream.ReceiveAllAsync(client, cancellationToken),
            TimeSpan.FromSeconds(20), "receiving the whole reply after half-closing");
        var (requestBytes, sentHash) = await Bounded.WithinAsync(server, TimeSpan.FromSeconds(5), "the server finishing");

        Assert.Equal(6, requestBytes);
        Assert.Equal(32L * DeterministicStream.BlockSize, replyBytes);
        Assert.Equal(Convert.ToHexStringLower(sentHash), Convert.ToHexStringLower(replyHash));
        var summary = await relay.NextClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FlowCloseReason.Completed, summary.Reason);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_reset_upstream_reaches_the_client_as_a_reset()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = TcpRelayHarness.Start(lab);
        using var listener = LabTcp.Listen(lab.Server, TproxyLab.ServerEndPoint(Port));
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptAsync(cancellationToken);
            var buffer = new byte[16];
            await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            socket.LingerState = new LingerOption(true, 0); // close with RST
        }, cancellationToken);
        using var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(Port), TimeSpan.FromSeconds(5));

        await LabTcp.SendAllAsync(client, "x"u8.ToArray(), cancellationToken);
        var outcome = await LabTcp.ReceiveOnceAsync(client, new byte[16], TimeSpan.FromSeconds(5));
        await Bounded.WithinAsync(server, TimeSpan.FromSeconds(5), "the server resetting");

        Assert.True(outcome.Error == SocketError.ConnectionReset, $"expected the client to see a reset; saw {outcome}");
        var summary = await relay.NextClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FlowCloseReason.UpstreamReset, summary.Reason);
    }

    [Fact(Timeout = 30_000)]
    public async Task Nothing_listening_upstream_reaches_the_client_as_a_reset_within_a_second()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = TcpRelayHarness.Start(lab);

        await AssertResetQuicklyAsync(lab, TproxyLab.ServerEndPoint(81));
        Assert.Equal(1, relay.Refused);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_socks5_refusal_reaches_the_client_as_a_reset_within_a_second()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await ProxyDialerTests.StartDanteAsync(lab);
        var wan = new DeviceDialer("wan", device: null, TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        await using var relay = TcpRelayHarness.Start(lab, new Socks5Dialer("socks", TproxyLab.ServerEndPoint(1080), null, wan, TimeSpan.FromSeconds(5)));

        // dante's ruleset blocks port 81.
        await AssertResetQuicklyAsync(lab, TproxyLab.ServerEndPoint(81));
        Assert.Equal(1, relay.Refused);
    }

    /// <summary>TPROXY completes the client's handshake; the refusal must then arrive as a reset, fast.</summary>
    private static async Task AssertResetQuicklyAsync(TproxyLab lab, IPEndPoint destination)
    {
        var clock = Stopwatch.StartNew();
        (int Bytes, SocketError Error) outcome;
        try
        {
            using var client = await LabTcp.ConnectAsync(lab.Client, destination, TimeSpan.FromSeconds(5));
            outcome = await LabTcp.ReceiveOnceAsync(client, new byte[16], TimeSpan.FromSeconds(5));
        }
        catch (SocketException e)
        {
            // The reset can land before the client's socket reported its connect complete (the relay answers in
            // the same loop turn that accepted the flow): then the connect itself ends with it.
            outcome = (0, e.SocketErrorCode);
        }

        clock.Stop();

        Assert.True(outcome.Error == SocketError.ConnectionReset, $"expected a reset; saw {outcome} after {clock.ElapsedMilliseconds} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"expected the reset within 1 s; it took {clock.ElapsedMilliseconds} ms");
    }
}
