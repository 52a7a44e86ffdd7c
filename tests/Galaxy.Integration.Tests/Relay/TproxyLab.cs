using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// client (198.51.100.2, 2001:db8:100::2) — lan0 [router] wan0 — server (203.0.113.10, 2001:db8:113::10), with
/// forwarding OFF in the router for both families: the only way from client to server is the relay. The
/// router's TPROXY rules (to 127.0.0.1 and ::1, port 15001) and policy routing are set with nft and ip (the
/// relay is what these tests exercise, not the firewall code).
/// </summary>
internal sealed class TproxyLab : IAsyncDisposable
{
    public const string ClientAddress = "198.51.100.2";
    public const string RouterWanAddress = "203.0.113.1";
    public const string ServerAddress = "203.0.113.10";
    public const string ClientAddress6 = "2001:db8:100::2";
    public const string RouterWanAddress6 = "2001:db8:113::1";
    public const string ServerAddress6 = "2001:db8:113::10";
    public const int RelayPort = 15001;
    public const uint TproxyMark = 0x1;
    public const uint EgressMark = 0x200;

    private const string Ruleset = """
        table inet relaytest {
          chain prerouting {
            type filter hook prerouting priority mangle; policy accept;
            meta l4proto tcp socket transparent 1 meta mark set 0x1 accept
            iifname "lan0" meta nfproto ipv4 meta l4proto tcp tproxy ip to 127.0.0.1:15001 meta mark set 0x1 accept
            iifname "lan0" meta nfproto ipv6 meta l4proto tcp tproxy ip6 to [::1]:15001 meta mark set 0x1 accept
            iifname "lan0" meta l4proto tcp drop
            iifname "lan0" meta nfproto ipv4 meta l4proto udp tproxy ip to 127.0.0.1:15001 meta mark set 0x1 accept
            iifname "lan0" meta nfproto ipv6 meta l4proto udp tproxy ip6 to [::1]:15001 meta mark set 0x1 accept
            iifname "lan0" meta l4proto udp drop
          }
        }
        """;

    private TproxyLab(Lab lab, LabHost client, LabHost router, LabHost server)
    {
        Lab = lab;
        Client = client;
        Router = router;
        Server = server;
    }

    public Lab Lab { get; }

    public LabHost Client { get; }

    public LabHost Router { get; }

    public LabHost Server { get; }

    /// <summary>Sockets made inside the router's namespace, for the relay's listener and dialers.</summary>
    public Socket RouterSocket(AddressFamily family, SocketType type, ProtocolType protocol) =>
        NetworkNamespace.Run(Router.NamespacePath, () => new Socket(family, type, protocol));

    public SocketFactory RouterSockets => RouterSocket;

    public static async Task<TproxyLab> CreateAsync()
    {
        LabPrerequisites.RequireTools("nft", "socat");
        var lab = Lab.Create();
        try
        {
            var client = await lab.AddHostAsync("client");
            var router = await lab.AddHostAsync("router");
            var server = await lab.AddHostAsync("server");
            await lab.ConnectAsync(client, "eth0", router, "lan0");
            await lab.ConnectAsync(router, "wan0", server, "eth0");
            await client.AddAddressAsync("eth0", $"{ClientAddress}/24");
            await router.AddAddressAsync("lan0", "198.51.100.1/24");
            await router.AddAddressAsync("wan0", $"{RouterWanAddress}/24");
            await server.AddAddressAsync("eth0", $"{ServerAddress}/24");
            await client.AddAddressAsync("eth0", $"{ClientAddress6}/64");
            await router.AddAddressAsync("lan0", "2001:db8:100::1/64");
            await router.AddAddressAsync("wan0", $"{RouterWanAddress6}/64");
            await server.AddAddressAsync("eth0", $"{ServerAddress6}/64");
            await client.AddRouteAsync("default", "via", "198.51.100.1");
            await server.AddRouteAsync("default", "via", RouterWanAddress);
            await client.AddRouteAsync("default", "via", "2001:db8:100::1");
            await server.AddRouteAsync("default", "via", RouterWanAddress6);
            await router.SetSysctlAsync("net.ipv4.ip_forward", "0");
            await router.SetSysctlAsync("net.ipv6.conf.all.forwarding", "0");

            var file = Path.Combine(lab.WorkDirectory, "relaytest.nft");
            await File.WriteAllTextAsync(file, Ruleset, TestContext.Current.CancellationToken);
            await router.RunCheckedAsync("nft", "-f", file);
            await router.RunCheckedAsync("ip", "rule", "add", "fwmark", "0x1", "lookup", "100", "priority", "100");
            await router.RunCheckedAsync("ip", "route", "add", "local", "default", "dev", "lo", "table", "100");
            await router.RunCheckedAsync("ip", "-6", "rule", "add", "fwmark", "0x1", "lookup", "100", "priority", "100");
            await router.RunCheckedAsync("ip", "-6", "route", "add", "local", "::/0", "dev", "lo", "table", "100");
            return new TproxyLab(lab, client, router, server);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    public static IPEndPoint ServerEndPoint(int port) => new(IPAddress.Parse(ServerAddress), port);

    public static IPEndPoint ServerEndPoint6(int port) => new(IPAddress.Parse(ServerAddress6), port);

    /// <summary>Where the relay listens for flows of <paramref name="family"/> (what the TPROXY rules point at).</summary>
    public static IPEndPoint RelayEndPoint(AddressFamily family = AddressFamily.InterNetwork) =>
        new(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, RelayPort);

    public ValueTask DisposeAsync() => Lab.DisposeAsync();
}
