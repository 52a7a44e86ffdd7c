using System.Net;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Egress.Proxy;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Udp;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>UDP through a real SOCKS5 server (dante) with UDP ASSOCIATE.</summary>
public sealed class Socks5UdpTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_udp_flow_rides_a_socks5_association_and_replies_come_from_the_original_destination()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await ProxyDialerTests.StartDanteAsync(lab);
        var wan = new DeviceDialer("wan", device: null, TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        var socks = new Socks5Dialer("socks", TproxyLab.ServerEndPoint(1080), null, wan, TimeSpan.FromSeconds(5));
        var listener = UdpRelay.Listen(TproxyLab.RelayEndPoint(), lab.RouterSockets);
        var registry = new FlowRegistry();
        using var relay = new UdpRelay(listener, (_, _) => new FlowRoute(socks), new UdpRelayOptions(), lab.RouterSockets, registry);
        relay.Start();
        await using var server = UdpEchoServer.Start(lab.Server, TproxyLab.ServerEndPoint(5353));
        using var client = UdpProbe.Open(lab.Client);

        var first = await client.ExchangeAsync(TproxyLab.ServerEndPoint(5353), "hello", TimeSpan.FromSeconds(10));
        var second = await client.ExchangeAsync(TproxyLab.ServerEndPoint(5353), "again", TimeSpan.FromSeconds(5));

        // The echo server saw dante's external address (203.0.113.10), not the router's: the datagrams rode the proxy.
        Assert.Equal(UdpEchoServer.Reply(IPAddress.Parse(TproxyLab.ServerAddress), "hello"), first.Text);
        Assert.Equal(UdpEchoServer.Reply(IPAddress.Parse(TproxyLab.ServerAddress), "again"), second.Text);
        Assert.Equal(TproxyLab.ServerEndPoint(5353), first.From);
        Assert.Equal(TproxyLab.ServerEndPoint(5353), second.From);
        Assert.Equal(1, relay.SessionsOpened);
        Assert.Equal(0, relay.PendingAssociations);
        var flow = Assert.Single(registry.Snapshot());
        Assert.True(flow is { Protocol: FlowProtocol.Udp, Egress: "socks", Connected: true, BytesUp: 10 }, $"expected the UDP flow of socks with 10 bytes up; saw {flow}");

        // The kill switch's handle ends the association too.
        Assert.Equal(1, registry.CloseFlows("socks"));
        await Bounded.WaitUntilAsync(() => relay.SessionCount == 0 && registry.Count == 0, TimeSpan.FromSeconds(5), "the session closes",
            () => $"sessions {relay.SessionCount}, flows {registry.Count}");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_udp_flow_whose_association_fails_is_refused_and_counted_against_its_egress()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var wan = new DeviceDialer("wan", device: null, TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        var socks = new Socks5Dialer("socks", TproxyLab.ServerEndPoint(1080), null, wan, TimeSpan.FromSeconds(5)); // no proxy listens
        var listener = UdpRelay.Listen(TproxyLab.RelayEndPoint(), lab.RouterSockets);
        var failures = new EgressDialFailures();
        using var relay = new UdpRelay(listener, (_, _) => new FlowRoute(socks), new UdpRelayOptions(), lab.RouterSockets, dialFailures: failures);
        relay.Start();
        using var client = UdpProbe.Open(lab.Client);
        client.Connect(TproxyLab.ServerEndPoint(5353));

        client.Send("hello");

        // The client hears "port unreachable" from the destination's address, and the egress has the failure and its reason.
        Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, await client.ReceiveErrorAsync(TimeSpan.FromSeconds(10)));
        var summary = failures.Of("socks");
        Assert.True(summary is { Count: 1 } && summary.Value.LastError.StartsWith($"{TproxyLab.ServerEndPoint(5353)}: ", StringComparison.Ordinal),
            $"expected one failed association of socks naming the destination; saw {summary}");
        Assert.Equal(0, relay.SessionsOpened);
    }
}
