using System.Net;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Egress.Proxy;
using Galaxy.Agent.Relay.Udp;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>The UDP relay in a real TPROXY setup (router forwarding off).</summary>
public sealed class UdpRelayTests
{
    [Fact]
    public async Task Replies_come_back_from_the_original_destination()
    {
        await using var lab = await TproxyLab.CreateAsync();
        using var relay = Start(lab, new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets));
        lab.Server.Start("socat", "UDP-LISTEN:5353,reuseaddr,fork", "SYSTEM:echo peer=$SOCAT_PEERADDR; cat");
        await lab.Server.WaitForListenerAsync(5353, udp: true);
        var capture = await lab.Client.CaptureAsync("eth0", "udp");

        // socat's UDP socket is connected: the kernel delivers only datagrams from 203.0.113.10:5353.
        var exchange = await lab.Client.RunAsync(["socat", "-t", "2", "-", $"UDP:{TproxyLab.ServerAddress}:5353"], stdin: "hello\n");

        var packets = await capture.StopAsync();
        Assert.True(exchange.Succeeded, exchange.Describe());
        Assert.Equal($"peer={TproxyLab.RouterWanAddress}\nhello\n", exchange.StandardOutput);
        var replies = packets.Where(p => p.IsUdp && p.DestinationPort != 5353).ToList();
        Assert.NotEmpty(replies);
        Assert.All(replies, p => Assert.True(
            Equals(p.Source, IPAddress.Parse(TproxyLab.ServerAddress)) && p.SourcePort == 5353,
            $"a reply left from {p.Source}:{p.SourcePort}, not from the original destination; saw:\n{CapturedPacket.Describe(packets)}"));
        Assert.Equal(1, relay.SessionsOpened);
    }

    [Fact]
    public async Task A_flow_whose_egress_cannot_carry_udp_is_dropped_not_sent_elsewhere()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var wan = new DeviceDialer("wan", null, TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        using var relay = Start(lab, new HttpConnectDialer("http", TproxyLab.ServerEndPoint(8888), null, wan, TimeSpan.FromSeconds(5)));
        var capture = await lab.Router.CaptureAsync("wan0", "udp");

        await lab.Client.RunAsync(["socat", "-t", "1", "-", $"UDP:{TproxyLab.ServerAddress}:5353"], stdin: "hello\n");

        var packets = await capture.StopAsync();
        Assert.Empty(packets);
        Assert.True(relay.Refused >= 1, $"expected the datagram to be refused; refused = {relay.Refused}");
        Assert.Equal(0, relay.SessionCount);
    }

    [Fact]
    public async Task One_client_cannot_hold_more_sessions_than_its_cap()
    {
        await using var lab = await TproxyLab.CreateAsync();
        using var relay = Start(lab, new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets),
            new UdpRelayOptions { MaxSessionsPerClient = 4 });

        // Twelve flows from one client: twelve destination ports, each a session of its own.
        var script = string.Join("; ", Enumerable.Range(6000, 12).Select(port => $"echo x | socat -u - UDP:{TproxyLab.ServerAddress}:{port}"));
        await lab.Client.RunCheckedAsync("sh", "-c", script);
        await WaitUntilAsync(() => relay.SessionsOpened == 12, () => $"sessions opened: {relay.SessionsOpened}");

        Assert.Equal(4, relay.SessionCount);
    }

    private static UdpRelay Start(TproxyLab lab, IEgressDialer dialer, UdpRelayOptions? options = null)
    {
        var listener = UdpRelay.Listen(new IPEndPoint(IPAddress.Loopback, TproxyLab.RelayPort), lab.RouterSockets);
        var relay = new UdpRelay(listener, (_, _) => dialer, options ?? new UdpRelayOptions(), lab.RouterSockets);
        relay.Start();
        return relay;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within 10 s; {state()}");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
