using System.Net;
using System.Net.Sockets;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// Datagrams no ordinary socket sends, made by hand on the LAN, against the published <c>galaxy relay</c> (its own
/// process: a crash is seen as its exit, not as the test host's).
/// </summary>
public sealed class UdpRelayHostileInputTests
{
    [Fact(Timeout = 60_000)]
    public async Task An_ipv6_datagram_to_an_ipv4_mapped_address_is_dropped_and_the_relay_keeps_serving()
    {
        await using var lab = await TproxyLab.CreateAsync();
        // An HTTP CONNECT egress cannot carry UDP: every UDP flow is refused with an ICMP port unreachable, the path
        // where a destination of the other family once reached the ICMP writer and ended the relay.
        var relay = await RelayProcess.StartWithEgressAsync(lab, "http://203.0.113.10:3128");
        using var client = UdpProbe.Open(lab.Client, AddressFamily.InterNetworkV6);
        client.Connect(new IPEndPoint(IPAddress.Parse(TproxyLab.ServerAddress6), 9999));
        client.Send("before");
        Assert.Equal(SocketError.ConnectionRefused, await client.ReceiveErrorAsync(TimeSpan.FromSeconds(5)));

        var routerMac = (await lab.Router.RunCheckedAsync("cat", "/sys/class/net/lan0/address")).StandardOutput.Trim();
        var capture = await lab.Router.CaptureAsync("lan0", "ip6 and udp port 9999");
        var deliveredBefore = await Udp6DeliveredAsync(lab);
        await lab.Client.RunCheckedAsync("python3", Path.Combine(AppContext.BaseDirectory, "Fixtures", "send-ipv6-udp-frame.py"),
            "eth0", routerMac, TproxyLab.ClientAddress6, $"::ffff:{TproxyLab.ServerAddress}", "9999", "mapped");
        var packets = await capture.StopAsync();
        Assert.True(packets.Count == 1, $"expected the hand-made datagram on the router's LAN side; saw:\n{CapturedPacket.Describe(packets)}");

        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        // Delivered to a socket in the router's namespace, where only the relay has UDP sockets: it was the relay's.
        Assert.True(await Udp6DeliveredAsync(lab) > deliveredBefore, "the hand-made datagram never reached the relay's listener");
        Assert.False(relay.Process.HasExited, relay.Describe());
        client.Send("after");
        Assert.Equal(SocketError.ConnectionRefused, await client.ReceiveErrorAsync(TimeSpan.FromSeconds(5)));
        Assert.False(relay.Process.HasExited, relay.Describe());
    }

    /// <summary>The UDP datagrams over IPv6 the router's namespace delivered to a socket so far (Udp6InDatagrams).</summary>
    private static async Task<long> Udp6DeliveredAsync(TproxyLab lab)
    {
        var snmp = (await lab.Router.RunCheckedAsync("cat", "/proc/net/snmp6")).StandardOutput;
        var line = snmp.Split('\n').Single(l => l.StartsWith("Udp6InDatagrams", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
