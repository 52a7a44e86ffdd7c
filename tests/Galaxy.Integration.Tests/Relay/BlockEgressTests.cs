using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Udp;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>The <c>reject</c> and <c>drop</c> egresses: loud and silent refusals, and nothing ever reaches the WAN.</summary>
public sealed class BlockEgressTests
{
    [Fact(Timeout = 30_000)]
    public async Task A_rejected_tcp_flow_is_reset_at_once_and_never_dialed()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = TcpRelayHarness.Start(lab, BlockDialer.Reject());
        var wan = await lab.Router.CaptureAsync("wan0", "tcp or udp");

        // TPROXY completes the handshake, and the reset follows so fast that it may fail the connect itself.
        var outcome = await ConnectAndReceiveAsync(lab, TproxyLab.ServerEndPoint(80), TimeSpan.FromSeconds(2));

        var packets = await wan.StopAsync();
        Assert.True(outcome.Error == SocketError.ConnectionReset, $"expected a reset; saw {outcome}");
        Assert.True(packets.Count == 0, $"expected nothing on the WAN; saw:\n{CapturedPacket.Describe(packets)}");
        Assert.Equal(1, relay.Refused);
    }

    /// <summary>
    /// The relay closes a dropped connection in TCP_REPAIR mode: it sends neither FIN nor reset. (A segment the
    /// client sends afterwards meets the TPROXY listener, whose kernel answers with a reset: total silence for
    /// a client that keeps talking needs the firewall's drop rule.)
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task A_dropped_tcp_flow_hears_nothing_after_the_handshake()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await using var relay = TcpRelayHarness.Start(lab, BlockDialer.Drop());
        var lan = await lab.Client.CaptureAsync("eth0", "tcp");
        using var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(80), TimeSpan.FromSeconds(5));
        await Bounded.WaitUntilAsync(() => relay.Refused == 1, TimeSpan.FromSeconds(5), "the relay drops the flow", () => $"refused {relay.Refused}");

        var outcome = await LabTcp.ReceiveOnceAsync(client, new byte[16], TimeSpan.FromSeconds(1.5));

        var packets = await lan.StopAsync();
        Assert.True(outcome.Error == SocketError.TimedOut, $"expected silence (a timeout); saw {outcome}");
        var loud = packets.Where(p => Equals(p.Source, IPAddress.Parse(TproxyLab.ServerAddress)) && (p.TcpFlags & (TcpFlags.Fin | TcpFlags.Rst)) != 0).ToList();
        Assert.True(loud.Count == 0, $"expected no FIN or reset towards the client; saw:\n{CapturedPacket.Describe(packets)}");
    }

    private static async Task<(int Bytes, SocketError Error)> ConnectAndReceiveAsync(TproxyLab lab, IPEndPoint destination, TimeSpan timeout)
    {
        var socket = Galaxy.Netlink.NetworkNamespace.Run(lab.Client.NamespacePath, () => new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using (socket)
        {
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
                deadline.CancelAfter(timeout);
                await socket.ConnectAsync(destination, deadline.Token);
            }
            catch (SocketException e)
            {
                return (0, e.SocketErrorCode);
            }

            return await LabTcp.ReceiveOnceAsync(socket, new byte[16], timeout);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task A_rejected_udp_flow_gets_port_unreachable_from_the_destination_and_a_dropped_one_nothing()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var reject = BlockDialer.Reject();
        var drop = BlockDialer.Drop();
        var listener = UdpRelay.Listen(TproxyLab.RelayEndPoint(), lab.RouterSockets);
        using var relay = new UdpRelay(listener, (_, destination) => new FlowRoute(destination.Port == 5353 ? reject : drop), new UdpRelayOptions(), lab.RouterSockets);
        relay.Start();
        var lan = await lab.Client.CaptureAsync("eth0", "icmp");
        using var rejected = UdpProbe.Open(lab.Client);
        rejected.Connect(TproxyLab.ServerEndPoint(5353));
        using var dropped = UdpProbe.Open(lab.Client);
        dropped.Connect(TproxyLab.ServerEndPoint(5354));

        rejected.Send("hello");
        dropped.Send("hello");
        var rejectedOutcome = await rejected.ReceiveErrorAsync(TimeSpan.FromSeconds(5));
        var droppedOutcome = await dropped.ReceiveErrorAsync(TimeSpan.FromSeconds(1));

        var packets = await lan.StopAsync();
        Assert.True(rejectedOutcome == SocketError.ConnectionRefused, $"expected ECONNREFUSED for the rejected flow; saw {rejectedOutcome}");
        Assert.True(droppedOutcome == SocketError.TimedOut, $"expected silence for the dropped flow; saw {droppedOutcome}");
        var icmp = Assert.Single(packets);
        Assert.True(Equals(icmp.Source, IPAddress.Parse(TproxyLab.ServerAddress)), $"the unreachable must come from the original destination; saw {icmp}");
        Assert.Equal((2L, 1L, 0), (relay.Refused, relay.UnreachableSent, relay.SessionCount));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_rejected_ipv6_udp_flow_gets_port_unreachable_from_the_destination()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var listener = UdpRelay.Listen(TproxyLab.RelayEndPoint(AddressFamily.InterNetworkV6), lab.RouterSockets);
        using var relay = new UdpRelay(listener, (_, _) => new FlowRoute(BlockDialer.Reject()), new UdpRelayOptions(), lab.RouterSockets);
        relay.Start();
        var lan = await lab.Client.CaptureAsync("eth0", "icmp6 and ip6[40] == 1");
        using var client = UdpProbe.Open(lab.Client, AddressFamily.InterNetworkV6);
        client.Connect(TproxyLab.ServerEndPoint6(5353));

        client.Send("hello");
        var outcome = await client.ReceiveErrorAsync(TimeSpan.FromSeconds(5));

        var packets = await lan.StopAsync();
        Assert.True(outcome == SocketError.ConnectionRefused, $"expected ECONNREFUSED; saw {outcome}; relay refused {relay.Refused}, sent {relay.UnreachableSent}");
        var icmp = Assert.Single(packets);
        Assert.True(Equals(icmp.Source, IPAddress.Parse(TproxyLab.ServerAddress6)), $"the unreachable must come from the original destination; saw {icmp}");
    }
}
