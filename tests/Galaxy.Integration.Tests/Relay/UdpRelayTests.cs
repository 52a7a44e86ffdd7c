using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Egress.Proxy;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Udp;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// The UDP relay in a real TPROXY setup (router forwarding off). Client and server are sockets of the test
/// process inside the lab's namespaces, not forking servers: a UDP "connection" never ends, so a forked
/// socat child would outlive the test (that is what hung the suite before), and every receive here has a
/// deadline.
/// </summary>
public sealed class UdpRelayTests
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    [Fact(Timeout = 30_000)]
    public async Task Replies_come_back_from_the_original_destination()
    {
        await using var lab = await TproxyLab.CreateAsync();
        using var relay = Start(lab, new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets));
        await using var server = UdpEchoServer.Start(lab.Server, TproxyLab.ServerEndPoint(5353));
        var capture = await lab.Client.CaptureAsync("eth0", "udp");
        using var client = UdpProbe.Open(lab.Client);

        var first = await client.ExchangeAsync(TproxyLab.ServerEndPoint(5353), "hello", ReplyTimeout);
        var second = await client.ExchangeAsync(TproxyLab.ServerEndPoint(5353), "again", ReplyTimeout);

        var packets = await capture.StopAsync();
        // The server saw the router's WAN address: the datagrams were relayed, not forwarded.
        Assert.Equal(UdpEchoServer.Reply(IPAddress.Parse(TproxyLab.RouterWanAddress), "hello"), first.Text);
        Assert.Equal(UdpEchoServer.Reply(IPAddress.Parse(TproxyLab.RouterWanAddress), "again"), second.Text);
        Assert.Equal(TproxyLab.ServerEndPoint(5353), first.From);
        Assert.Equal(TproxyLab.ServerEndPoint(5353), second.From);
        var replies = packets.Where(p => p.IsUdp && p.DestinationPort == client.LocalEndPoint.Port).ToList();
        Assert.True(replies.Count == 2, $"expected 2 replies on the client's wire; saw:\n{CapturedPacket.Describe(packets)}");
        Assert.All(replies, p => Assert.True(
            Equals(p.Source, IPAddress.Parse(TproxyLab.ServerAddress)) && p.SourcePort == 5353,
            $"a reply left from {p.Source}:{p.SourcePort}, not from the original destination; saw:\n{CapturedPacket.Describe(packets)}"));
        Assert.Equal(1, relay.SessionsOpened);
        Assert.Equal(2, server.Received);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_flow_whose_egress_cannot_carry_udp_is_refused_with_port_unreachable_and_not_sent_elsewhere()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var wan = new DeviceDialer("wan", null, TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        using var relay = Start(lab, new HttpConnectDialer("http", TproxyLab.ServerEndPoint(8888), null, wan, TimeSpan.FromSeconds(5)));
        var wanCapture = await lab.Router.CaptureAsync("wan0", "udp");
        var lanCapture = await lab.Client.CaptureAsync("eth0", "icmp");
        using var client = UdpProbe.Open(lab.Client);
        client.Connect(TproxyLab.ServerEndPoint(5353));

        client.Send("hello");
        var outcome = await client.ReceiveErrorAsync(TimeSpan.FromSeconds(5));

        var wanPackets = await wanCapture.StopAsync();
        var lanPackets = await lanCapture.StopAsync();
        Assert.True(outcome == SocketError.ConnectionRefused, $"expected the client to read ECONNREFUSED (port unreachable); saw {outcome}");
        Assert.True(wanPackets.Count == 0, $"expected nothing on the WAN; saw:\n{CapturedPacket.Describe(wanPackets)}");
        var icmp = Assert.Single(lanPackets);
        Assert.True(Equals(icmp.Source, IPAddress.Parse(TproxyLab.ServerAddress)),
            $"the unreachable must come from the original destination; saw {icmp}");
        Assert.Equal(0, relay.SessionCount);
        Assert.Equal(1, relay.Refused);
        Assert.Equal(1, relay.UnreachableSent);
    }

    [Fact(Timeout = 30_000)]
    public async Task One_client_cannot_hold_more_sessions_than_its_cap()
    {
        await using var lab = await TproxyLab.CreateAsync();
        using var relay = Start(lab, new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets),
            new UdpRelayOptions { MaxSessionsPerClient = 4 });
        using var client = UdpProbe.Open(lab.Client);

        // Twelve flows from one client: twelve destination ports, each a session of its own.
        foreach (var port in Enumerable.Range(6000, 12))
        {
            client.Send(TproxyLab.ServerEndPoint(port), "x");
        }

        await Bounded.WaitUntilAsync(() => relay.SessionsOpened == 12, TimeSpan.FromSeconds(10), "twelve sessions opened",
            () => $"sessions opened: {relay.SessionsOpened}, held: {relay.SessionCount}");
        Assert.Equal(4, relay.SessionCount);
    }

    private static UdpRelay Start(TproxyLab lab, IEgressDialer dialer, UdpRelayOptions? options = null)
    {
        var listener = UdpRelay.Listen(new IPEndPoint(IPAddress.Loopback, TproxyLab.RelayPort), lab.RouterSockets);
        var relay = new UdpRelay(listener, (_, _) => new FlowRoute(dialer), options ?? new UdpRelayOptions(), lab.RouterSockets);
        relay.Start();
        return relay;
    }
}
