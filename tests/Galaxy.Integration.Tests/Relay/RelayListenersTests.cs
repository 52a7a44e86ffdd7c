using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Agent.Relay.Tcp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// The relay's listeners as the agent opens them: several accept loops sharing the port (SO_REUSEPORT), and
/// both families at 127.0.0.1 and [::1] where TPROXY delivers.
/// </summary>
public sealed class RelayListenersTests
{
    [Fact(Timeout = 30_000)]
    public async Task Two_listeners_share_the_port_and_both_receive_flows()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var lab = await TproxyLab.CreateAsync();
        var options = new TcpRelayOptions { AcceptLoops = 2 };
        using var loop = new SpliceLoop("test-splice", options.IdleTimeout);
        var listeners = TcpRelay.Listen(TproxyLab.RelayEndPoint(), options.Backlog, options.AcceptLoops, lab.RouterSockets);
        var dialer = new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
        await using var relay = new TcpRelay(listeners, (_, _, _) => new FlowRoute(dialer), [loop], options);
        relay.Start();
        lab.Server.Start("socat", "TCP-LISTEN:80,reuseaddr,fork", "EXEC:cat");
        await lab.Server.WaitForListenerAsync(80);

        // The kernel picks a listener by the hash of each connection's addresses and ports: 24 connections all
        // landing on one of two listeners would happen about once in eight million runs.
        for (var i = 0; i < 24; i++)
        {
            using var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(80), TimeSpan.FromSeconds(5));
            await LabTcp.SendAllAsync(client, "x"u8.ToArray(), cancellationToken);
            var (bytes, error) = await LabTcp.ReceiveOnceAsync(client, new byte[1], TimeSpan.FromSeconds(5));
            Assert.True((bytes, error) == (1, SocketError.Success), $"connection {i}: expected the echo, saw {bytes} bytes, {error}");
        }

        var accepted = relay.AcceptedPerListener;
        Assert.True(accepted.Length == 2 && accepted.All(a => a > 0) && accepted.Sum() == 24,
            $"expected 24 flows spread over both listeners, saw [{string.Join(", ", accepted)}]");
    }

    [Fact(Timeout = 30_000)]
    public async Task The_agent_listeners_take_both_families_at_the_relay_port()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var options = new TcpRelayOptions { AcceptLoops = 2 };
        var listeners = RelayListeners.Open(TproxyLab.RelayPort, options, NullLogger.Instance, lab.RouterSockets);
        try
        {
            Assert.Equal(
                [.. Enumerable.Repeat("127.0.0.1:15001", options.AcceptLoops), .. Enumerable.Repeat("[::1]:15001", options.AcceptLoops)],
                listeners.Tcp.Select(s => s.LocalEndPoint!.ToString()!).ToArray());
            Assert.Equal(["127.0.0.1:15001", "[::1]:15001"], listeners.Udp.Select(s => s.LocalEndPoint!.ToString()!).ToArray());
            // The listeners' addresses were read above: .NET then hands that cached address to every accepted
            // socket, so this flow also proves the relay asks the kernel for the original destination.
            using var loop = new SpliceLoop("test-splice", options.IdleTimeout);
            var dialer = new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets);
            await using var relay = new TcpRelay(listeners.Tcp, (_, _, _) => new FlowRoute(dialer), [loop], options);
            relay.Start();
            lab.Server.Start("socat", "TCP6-LISTEN:80,reuseaddr,fork", "EXEC:cat");
            await lab.Server.WaitForListenerAsync(80);

            var exchange = await lab.Client.RunAsync(["socat", "-t", "5", "-", $"TCP6:[{TproxyLab.ServerAddress6}]:80"], stdin: "over ipv6\n",
                timeout: TimeSpan.FromSeconds(15));

            Assert.True(exchange.Succeeded && exchange.StandardOutput == "over ipv6\n", $"refused {relay.Refused}, accepted [{string.Join(", ", relay.AcceptedPerListener)}]; " + exchange.Describe());
            Assert.True(relay.AcceptedPerListener[options.AcceptLoops..].Sum() == 1, $"expected the flow on an IPv6 listener, saw [{string.Join(", ", relay.AcceptedPerListener)}]");
        }
        finally
        {
            foreach (var socket in listeners.Udp)
            {
                socket.Dispose();
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Without_ipv6_on_the_host_the_listeners_are_ipv4_only()
    {
        await using var lab = await TproxyLab.CreateAsync();

        // A kernel booted with ipv6.disable=1 refuses IPv6 sockets (a transparent socket binds [::1] even with
        // IPv6 off on lo, so that is not the case to test).
        Socket NoIpv6(AddressFamily family, SocketType type, ProtocolType protocol) => family == AddressFamily.InterNetworkV6
            ? throw new SocketException((int)SocketError.AddressFamilyNotSupported)
            : lab.RouterSocket(family, type, protocol);
        var listeners = RelayListeners.Open(TproxyLab.RelayPort, new TcpRelayOptions(), NullLogger.Instance, NoIpv6);
        var all = listeners.Tcp.Concat(listeners.Udp).ToArray();
        var bound = all.Select(s => s.LocalEndPoint!.ToString()!).ToArray();
        foreach (var socket in all)
        {
            socket.Dispose();
        }

        Assert.Equal(["127.0.0.1:15001", "127.0.0.1:15001"], bound);
    }
}
