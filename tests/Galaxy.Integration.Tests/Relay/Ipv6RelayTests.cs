using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Agent.Relay.Udp;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>TPROXY over IPv6 (2001:db8:: documentation addresses, router forwarding off): TCP and UDP.</summary>
public sealed class Ipv6RelayTests
{
    [Fact(Timeout = 30_000)]
    public async Task An_ipv6_tcp_client_reaches_the_server_only_through_the_relay()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = TcpRelayHarness.Start(lab);
        lab.Server.Start("socat", "TCP6-LISTEN:80,reuseaddr", "SYSTEM:echo peer=$SOCAT_PEERADDR; cat");
        await lab.Server.WaitForListenerAsync(80);

        var exchange = await lab.Client.RunAsync(["socat", "-t", "5", "-", $"TCP6:[{TproxyLab.ServerAddress6}]:80"], stdin: "hello\n",
            timeout: TimeSpan.FromSeconds(15));

        Assert.True(exchange.Succeeded, exchange.Describe());
        // The server saw the router's WAN address: the flow was relayed, not forwarded.
        // socat prints the peer unabbreviated, in brackets.
        var lines = exchange.StandardOutput.Split('\n');
        Assert.True(lines.Length == 3 && lines[0].StartsWith("peer=[", StringComparison.Ordinal) && lines[1] == "hello",
            $"expected peer=[ADDRESS], hello; saw {exchange.StandardOutput}");
        Assert.Equal(IPAddress.Parse(TproxyLab.RouterWanAddress6), IPAddress.Parse(lines[0]["peer=[".Length..].TrimEnd(']')));
        var summary = await relay.NextClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FlowCloseReason.Completed, summary.Reason);
        Assert.Equal(TproxyLab.ServerEndPoint6(80), summary.Destination);
        Assert.Equal(IPAddress.Parse(TproxyLab.ClientAddress6), summary.Client.Address);
    }

    [Fact(Timeout = 30_000)]
    public async Task Ipv6_udp_replies_come_back_from_the_original_destination()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var dialer = new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        var listener = UdpRelay.Listen(TproxyLab.RelayEndPoint(AddressFamily.InterNetworkV6), lab.RouterSockets);
        using var relay = new UdpRelay(listener, (_, _) => new FlowRoute(dialer), new UdpRelayOptions(), lab.RouterSockets);
        relay.Start();
        await using var server = UdpEchoServer.Start(lab.Server, TproxyLab.ServerEndPoint6(5353));
        var capture = await lab.Client.CaptureAsync("eth0", "udp");
        using var client = UdpProbe.Open(lab.Client, AddressFamily.InterNetworkV6);

        var reply = await client.ExchangeAsync(TproxyLab.ServerEndPoint6(5353), "hello", TimeSpan.FromSeconds(5));

        var packets = await capture.StopAsync();
        Assert.Equal(UdpEchoServer.Reply(IPAddress.Parse(TproxyLab.RouterWanAddress6), "hello"), reply.Text);
        Assert.Equal(TproxyLab.ServerEndPoint6(5353), reply.From);
        var replies = packets.Where(p => p.IsUdp && p.DestinationPort == client.LocalEndPoint.Port).ToList();
        Assert.True(replies.Count == 1, $"expected one reply on the client's wire; saw:\n{CapturedPacket.Describe(packets)}");
        Assert.True(Equals(replies[0].Source, IPAddress.Parse(TproxyLab.ServerAddress6)) && replies[0].SourcePort == 5353,
            $"the reply left from {replies[0].Source}:{replies[0].SourcePort}, not from the original destination");
        Assert.Equal(1, relay.SessionsOpened);
    }
}
