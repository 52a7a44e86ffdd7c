using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Dns;
using Galaxy.Agent.Egress;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink;

namespace Galaxy.Integration.Tests.Dns;

/// <summary>
/// client (198.51.100.2, 2001:db8:1::2) — lan0 [router] wan0 (203.0.113.1) — inet (203.0.113.53, 2001:db8:2::53,
/// dnsmasq), forwarding OFF in the router. The router TPROXYs every LAN packet to port 53 (UDP and TCP, any
/// destination) to the DNS server on 127.0.0.1:15353 and [::1]:15353 (nft and ip set by hand: the server is what these tests exercise, not the firewall);
/// the server forwards through a DeviceDialer bound to wan0 (the stand-in for a tunnel device).
/// </summary>
internal sealed class DnsLab : IAsyncDisposable
{
    public const string ClientAddress = "198.51.100.2";
    public const string RouterWanAddress = "203.0.113.1";
    public const string ResolverAddress = "203.0.113.53";
    public const string ResolverAddress6 = "2001:db8:2::53";
    public const string ExampleAddress = "192.0.2.80";
    public const int DnsPort = 15353;
    public const uint EgressMark = 0x200;

    private const string Ruleset = """
        table inet dnstest {
          chain prerouting {
            type filter hook prerouting priority mangle; policy accept;
            meta l4proto tcp socket transparent 1 meta mark set 0x1 accept
            iifname "lan0" meta nfproto ipv4 udp dport 53 tproxy ip to 127.0.0.1:15353 meta mark set 0x1 accept
            iifname "lan0" meta nfproto ipv4 tcp dport 53 tproxy ip to 127.0.0.1:15353 meta mark set 0x1 accept
            iifname "lan0" meta nfproto ipv6 udp dport 53 tproxy ip6 to [::1]:15353 meta mark set 0x1 accept
            iifname "lan0" meta nfproto ipv6 tcp dport 53 tproxy ip6 to [::1]:15353 meta mark set 0x1 accept
            iifname "lan0" th dport 53 drop
          }
        }
        """;

    private readonly List<DnsServer> _servers = [];

    private DnsLab(Lab lab, LabHost client, LabHost router, LabHost inet, LabProcess dnsmasq)
    {
        Lab = lab;
        Client = client;
        Router = router;
        Inet = inet;
        Dnsmasq = dnsmasq;
    }

    public Lab Lab { get; }

    public LabHost Client { get; }

    public LabHost Router { get; }

    public LabHost Inet { get; }

    public LabProcess Dnsmasq { get; }

    public SocketFactory RouterSockets => (family, type, protocol) =>
        NetworkNamespace.Run(Router.NamespacePath, () => new Socket(family, type, protocol));

    /// <summary>The tunnel stand-in: marked, bound to wan0.</summary>
    public IEgressDialer WanDialer => new DeviceDialer("wan", "wan0", EgressMark, TimeSpan.FromSeconds(2), RouterSockets);

    public static IPEndPoint Resolver => new(IPAddress.Parse(ResolverAddress), 53);

    public static async Task<DnsLab> CreateAsync()
    {
        LabPrerequisites.RequireTools("nft", "dig", "dnsmasq");
        var lab = Lab.Create();
        try
        {
            var client = await lab.AddHostAsync("client");
            var router = await lab.AddHostAsync("router");
            var inet = await lab.AddHostAsync("inet");
            await lab.ConnectAsync(client, "eth0", router, "lan0");
            await lab.ConnectAsync(router, "wan0", inet, "eth0");
            await client.AddAddressAsync("eth0", $"{ClientAddress}/24");
            await router.AddAddressAsync("lan0", "198.51.100.1/24");
            await router.AddAddressAsync("wan0", $"{RouterWanAddress}/24");
            await inet.AddAddressAsync("eth0", $"{ResolverAddress}/24");
            await client.AddAddressAsync("eth0", "2001:db8:1::2/64");
            await router.AddAddressAsync("lan0", "2001:db8:1::1/64");
            await router.AddAddressAsync("wan0", "2001:db8:2::1/64");
            await inet.AddAddressAsync("eth0", $"{ResolverAddress6}/64");
            await client.AddRouteAsync("default", "via", "198.51.100.1");
            await client.AddRouteAsync("default", "via", "2001:db8:1::1");
            await router.SetSysctlAsync("net.ipv4.ip_forward", "0");
            await router.SetSysctlAsync("net.ipv6.conf.all.forwarding", "0");

            var file = Path.Combine(lab.WorkDirectory, "dnstest.nft");
            await File.WriteAllTextAsync(file, Ruleset, TestContext.Current.CancellationToken);
            await router.RunCheckedAsync("nft", "-f", file);
            await router.RunCheckedAsync("ip", "rule", "add", "fwmark", "0x1", "lookup", "100", "priority", "100");
            await router.RunCheckedAsync("ip", "route", "add", "local", "default", "dev", "lo", "table", "100");
            await router.RunCheckedAsync("ip", "-6", "rule", "add", "fwmark", "0x1", "lookup", "100", "priority", "100");
            await router.RunCheckedAsync("ip", "-6", "route", "add", "local", "default", "dev", "lo", "table", "100");

            var dnsmasq = inet.Start(
                "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address", $"{ResolverAddress},{ResolverAddress6}",
                "--port", "53", "--pid-file=", "--user=root", "--local-ttl=300", $"--address=/example.test/{ExampleAddress}", "--address=/example.test/2001:db8::80", "--address=/nx.test/",
                "--log-queries", "--log-facility=-");
            await inet.WaitForListenerAsync(53, udp: true);
            await inet.WaitForListenerAsync(53);
            return new DnsLab(lab, client, router, inet, dnsmasq);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the DNS servers in the router (IPv4 and IPv6 listeners, one forwarder), forwarding through
    /// <paramref name="upstream"/>.
    /// </summary>
    public DnsForwarder StartServers(DnsUpstreamSource upstream)
    {
        var forwarder = new DnsForwarder(upstream, new DnsCache(), new DnsNameMemory(), new DnsForwarderOptions { UdpTimeout = TimeSpan.FromSeconds(1) });
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
        {
            var listen = new IPEndPoint(address, DnsPort);
            var server = new DnsServer(forwarder, DnsServer.ListenUdp(listen, RouterSockets), DnsServer.ListenTcp(listen, RouterSockets), sockets: RouterSockets);
            _servers.Add(server);
            server.Start();
        }

        return forwarder;
    }

    /// <summary>dig from the client, bounded: one try, two seconds.</summary>
    public Task<CommandResult> DigAsync(params string[] arguments) =>
        Client.RunAsync(["dig", "+time=2", "+tries=1", $"@{ResolverAddress}", .. arguments], timeout: TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        await Lab.DisposeAsync();
    }
}
