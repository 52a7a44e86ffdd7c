using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Agent.Relay.Udp;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// The flow registry on live relays: accounting of running flows, and <see cref="FlowRegistry.CloseFlows"/>
/// (the kill switch's handle) closing exactly the flows of one egress, TCP with a reset, UDP sessions too.
/// </summary>
public sealed class FlowRegistryTests
{
    private const int PortA = 9000;
    private const int PortB = 9002;

    [Fact(Timeout = 30_000)]
    public async Task Closing_the_flows_of_one_egress_resets_them_and_leaves_the_others_running()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var egressA = new DeviceDialer("tunnel-a", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        var egressB = new DeviceDialer("tunnel-b", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        var registry = new FlowRegistry();
        await using var relay = TcpRelayHarness.Start(lab, (_, destination, _) => new FlowRoute(destination.Port == PortA ? egressA : egressB), registry: registry);
        await using var serverA = TcpEchoServer.Start(lab.Server, TproxyLab.ServerEndPoint(PortA));
        await using var serverB = TcpEchoServer.Start(lab.Server, TproxyLab.ServerEndPoint(PortB));
        using var a1 = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(PortA), TimeSpan.FromSeconds(5));
        using var a2 = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(PortA), TimeSpan.FromSeconds(5));
        using var b = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(PortB), TimeSpan.FromSeconds(5));
        foreach (var socket in (Socket[])[a1, a2, b])
        {
            await EchoAsync(socket, "hello");
        }

        // A counter moves right after its bytes were handed to the socket: wait for it, briefly.
        await Bounded.WaitUntilAsync(() => registry.Snapshot().Sum(f => f.BytesDown) == 15, TimeSpan.FromSeconds(5), "the counters settle",
            () => Describe(registry.Snapshot()));
        var before = registry.Snapshot();
        Assert.True(before.Count == 3, $"expected 3 flows; saw {Describe(before)}");
        Assert.Equal(2, before.Count(f => f.Egress == "tunnel-a"));
        Assert.All(before, f => Assert.True(f.Connected && f.Protocol == FlowProtocol.Tcp && f.BytesUp == 5 && f.BytesDown == 5,
            $"expected a connected TCP flow with 5 bytes each way; saw {f}"));
        Assert.All(before, f => Assert.True(DateTimeOffset.UtcNow - f.Started < TimeSpan.FromSeconds(30), $"start time {f.Started}"));

        var closed = registry.CloseFlows("tunnel-a");

        Assert.Equal(2, closed);
        foreach (var socket in (Socket[])[a1, a2])
        {
            var outcome = await LabTcp.ReceiveOnceAsync(socket, new byte[16], TimeSpan.FromSeconds(5));
            Assert.True(outcome.Error == SocketError.ConnectionReset, $"expected a flow of tunnel-a to be reset; saw {outcome}");
        }

        await EchoAsync(b, "still");
        await Bounded.WaitUntilAsync(() => registry.Count == 1 && registry.Snapshot()[0].BytesDown == 10, TimeSpan.FromSeconds(5), "the closed flows leave the registry",
            () => Describe(registry.Snapshot()));
        var after = Assert.Single(registry.Snapshot());
        Assert.Equal("tunnel-b", after.Egress);
        Assert.Equal((10L, 10L), (after.BytesUp, after.BytesDown));
        var reasons = new[] { await relay.NextClosedAsync(TimeSpan.FromSeconds(5)), await relay.NextClosedAsync(TimeSpan.FromSeconds(5)) };
        Assert.All(reasons, s => Assert.Equal(FlowCloseReason.Closed, s.Reason));
        Assert.True(registry.Close(after.Id));
        Assert.False(registry.Close(after.Id + 1000));
        var last = await LabTcp.ReceiveOnceAsync(b, new byte[16], TimeSpan.FromSeconds(5));
        Assert.True(last.Error == SocketError.ConnectionReset, $"expected the closed flow to be reset; saw {last}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Closing_the_flows_of_one_egress_ends_its_udp_sessions()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var egress = new DeviceDialer("tunnel-a", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        var ended = new List<FlowInfo>();
        var registry = new FlowRegistry(ended: info =>
        {
            lock (ended)
            {
                ended.Add(info);
            }
        });
        int EndedCount()
        {
            lock (ended)
            {
                return ended.Count;
            }
        }

        var listener = UdpRelay.Listen(TproxyLab.RelayEndPoint(), lab.RouterSockets);
        using var relay = new UdpRelay(listener, (_, _) => new FlowRoute(egress), new UdpRelayOptions(), lab.RouterSockets, registry);
        relay.Start();
        await using var server = UdpEchoServer.Start(lab.Server, TproxyLab.ServerEndPoint(5353));
        using var client = UdpProbe.Open(lab.Client);

        var reply = await client.ExchangeAsync(TproxyLab.ServerEndPoint(5353), "hello", TimeSpan.FromSeconds(5));
        await Bounded.WaitUntilAsync(() => registry.Snapshot() is [{ BytesDown: > 0 }], TimeSpan.FromSeconds(5), "the counters settle",
            () => Describe(registry.Snapshot()));
        var flow = Assert.Single(registry.Snapshot());
        Assert.True(flow.Protocol == FlowProtocol.Udp && flow.Egress == "tunnel-a" && flow.BytesUp == 5 && flow.BytesDown == reply.Text.Length,
            $"expected a UDP flow of tunnel-a with 5 bytes up and {reply.Text.Length} down; saw {flow}");

        Assert.Equal(1, registry.CloseFlows("tunnel-a"));
        // The registry forgets the flow just before it reports the end: wait for the report too.
        await Bounded.WaitUntilAsync(() => relay.SessionCount == 0 && registry.Count == 0 && EndedCount() > 0, TimeSpan.FromSeconds(5), "the session closes",
            () => $"sessions {relay.SessionCount}, registry {Describe(registry.Snapshot())}, ended {EndedCount()}");
        lock (ended)
        {
            var final = Assert.Single(ended);
            Assert.Equal(flow.Id, final.Id);
        }

        // The next datagram of the same flow starts a new session (the route decides again).
        await client.ExchangeAsync(TproxyLab.ServerEndPoint(5353), "again", TimeSpan.FromSeconds(5));
        Assert.Equal(2, relay.SessionsOpened);
    }

    private static async Task EchoAsync(Socket socket, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        await LabTcp.SendAllAsync(socket, bytes, TestContext.Current.CancellationToken);
        var buffer = new byte[64];
        var received = 0;
        while (received < bytes.Length)
        {
            var outcome = await LabTcp.ReceiveOnceAsync(socket, buffer.AsMemory(received), TimeSpan.FromSeconds(5));
            Assert.True(outcome.Error == SocketError.Success && outcome.Bytes > 0, $"expected the echo of \"{text}\"; saw {outcome}");
            received += outcome.Bytes;
        }

        Assert.Equal(text, System.Text.Encoding.ASCII.GetString(buffer, 0, received));
    }

    private static string Describe(IEnumerable<FlowInfo> flows) => string.Join("; ", flows.Select(f => f.ToString()));
}
