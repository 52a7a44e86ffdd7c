using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Netlink.Route;
using Galaxy.Netlink;
using Galaxy.Netlink.NfTables;
using Galaxy.Netlink.Route;
using TestLab = Galaxy.Integration.Tests.Labs.Lab;

namespace Galaxy.Integration.Tests.Netlink.Smoke;

/// <summary>
/// The whole TPROXY path programmed by Galaxy.Netlink alone:
/// client (198.51.100.2) —eth0·lan0— router —wan0·eth0— server (203.0.113.10).
/// Addresses, routes, the nf_tables ruleset and the policy routing are made with <see cref="RtNetlinkClient"/>
/// and <see cref="NfTablesClient"/>; the lab only makes the namespaces and veths, and <c>ip</c>/<c>nft</c>
/// only read back what the library did. The router forwards, so only the ruleset keeps the SYN from the server.
/// </summary>
public sealed class TproxySmokeTests
{
    private const string Table = "galaxysmoke";
    private const string Chain = "prerouting";
    private const ushort ListenerPort = 15080;
    private const uint Mark = 0x1;
    private const uint RouteTable = 100;
    private const uint RulePriority = 100;
    private static readonly IPAddress ClientAddress = IPAddress.Parse("198.51.100.2");
    private static readonly IPAddress ServerAddress = IPAddress.Parse("203.0.113.10");
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_connection_to_the_server_is_delivered_to_the_transparent_listener_with_its_original_destination()
    {
        LabPrerequisites.RequireTools("nft", "socat", "tcpdump");
        await using var lab = TestLab.Create();
        var client = await lab.AddHostAsync("client");
        var router = await lab.AddHostAsync("router");
        var server = await lab.AddHostAsync("server");
        await lab.ConnectAsync(client, "eth0", router, "lan0");
        await lab.ConnectAsync(router, "wan0", server, "eth0");
        await router.SetSysctlAsync("net.ipv4.ip_forward", "1");

        // Addressing and routing, by the library.
        using (var rt = RtNetlinkClient.OpenIn(client.NamespacePath))
        {
            rt.AddAddress("eth0", ClientAddress, 24);
            rt.AddRoute(new RouteSpec { Family = IpFamily.IPv4, Destination = IPNetwork.Parse("203.0.113.0/24"), Gateway = IPAddress.Parse("198.51.100.1") });
        }

        using (var rt = RtNetlinkClient.OpenIn(server.NamespacePath))
        {
            rt.AddAddress("eth0", ServerAddress, 24);
            rt.AddRoute(new RouteSpec { Family = IpFamily.IPv4, Destination = IPNetwork.Parse("198.51.100.0/24"), Gateway = IPAddress.Parse("203.0.113.1") });
        }

        using (var rt = RtNetlinkClient.OpenIn(router.NamespacePath))
        {
            rt.AddAddress("lan0", IPAddress.Parse("198.51.100.1"), 24);
            rt.AddAddress("wan0", IPAddress.Parse("203.0.113.1"), 24);

            // Policy routing: marked packets are local (ip rule add priority 100 fwmark 0x1 lookup 100;
            // ip route add local default dev lo table 100).
            rt.AddRule(new RuleSpec { Family = IpFamily.IPv4, Priority = RulePriority, Fwmark = Mark, Table = RouteTable });
            rt.AddRoute(new RouteSpec { Family = IpFamily.IPv4, Type = RouteType.Local, OutputInterfaceName = "lo", Table = RouteTable });
        }

        // The ruleset: tproxy to the listener, then an explicit drop for when no transparent socket takes it.
        using (var nft = NfTablesClient.OpenIn(router.NamespacePath))
        {
            nft.Commit(new NfBatch()
                .AddTable(NfFamily.Inet, Table)
                .AddBaseChain(NfFamily.Inet, Table, Chain, new NfBaseChain(NfChainType.Filter, NfHook.Prerouting, NfPriority.Mangle, NfChainPolicy.Accept))
                .AddRule(Table, Chain, ToServer()
                    .Expression(ImmediateExpression.Value(1, NfKey.Port(ListenerPort)), "tproxy ip to") // the builder has no "ip, port only" form:
                    .Expression(new TproxyExpression(NfTproxyFamily.IPv4, null, 1), string.Create(CultureInfo.InvariantCulture, $":{ListenerPort}")) // nft's two expressions
                    .SetMark(Mark)
                    .Accept())
                .AddRule(Table, Chain, ToServer().Drop()));
        }

        await AssertRouterStateAsync(router);

        using var listener = NetworkNamespace.Run(router.NamespacePath, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.SetRawSocketOption(0 /* SOL_IP */, 19 /* IP_TRANSPARENT */, BitConverter.GetBytes(1)); // .NET's SocketOptionName would be mapped
            socket.Bind(new IPEndPoint(IPAddress.Any, ListenerPort));
            socket.Listen();
            return socket;
        });
        var serverCapture = await server.CaptureAsync("eth0", "tcp");

        var clientRun = client.RunAsync(
            ["socat", "-t", "5", "-T", "5", "STDIO", $"TCP:{ServerAddress}:80,connect-timeout=5"], "ping\n", Deadline);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Deadline);
        Socket accepted;
        try
        {
            accepted = await listener.AcceptAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            var seen = await serverCapture.StopAsync();
            Assert.Fail(
                $"expected the transparent listener on 0.0.0.0:{ListenerPort} in the router to accept the client's connection to {ServerAddress}:80 " +
                $"within {Deadline.TotalSeconds} s, but nothing came; client: {await DescribeAsync(clientRun)}\nserver saw:\n{CapturedPacket.Describe(seen)}");
            throw;
        }

        string request;
        using (accepted)
        {
            var local = (IPEndPoint)accepted.LocalEndPoint!;
            var remote = (IPEndPoint)accepted.RemoteEndPoint!;
            Assert.True(local.Equals(new IPEndPoint(ServerAddress, 80)),
                $"expected the accepted socket's local end point to be the original destination {ServerAddress}:80, saw {local}");
            Assert.True(remote.Address.Equals(ClientAddress),
                $"expected the accepted socket's peer to be the client {ClientAddress}, saw {remote}");

            request = await ReadLineAsync(accepted, timeout.Token);
            await accepted.SendAsync(Encoding.ASCII.GetBytes($"pong from {local}\n"), SocketFlags.None, timeout.Token);
            accepted.Shutdown(SocketShutdown.Both);
        }

        var result = await clientRun;
        var serverPackets = await serverCapture.StopAsync();

        Assert.True(request == "ping", $"expected the listener to read the client's \"ping\", read \"{request}\"");
        Assert.True(result.Succeeded && result.StandardOutput == $"pong from {ServerAddress}:80\n",
            $"expected the client to receive \"pong from {ServerAddress}:80\", saw: {result.Describe()}");
        var toServer = serverPackets.Where(p => p.IsTcp && p.DestinationPort == 80).ToList();
        Assert.True(toServer.Count == 0,
            $"expected the server never to see a packet to port 80 (the router diverts it), saw:\n{CapturedPacket.Describe(toServer)}");
    }

    /// <summary><c>meta l4proto tcp ip daddr 203.0.113.10 tcp dport 80</c>.</summary>
    private static RuleBuilder ToServer() =>
        new RuleBuilder(NfFamily.Inet).L4Proto(RuleBuilder.Tcp).DaddrV4(ServerAddress).TcpDport(80);

    /// <summary>The read-back oracle: nft's view of the kernel's expressions, ip's view of the rule and table 100.</summary>
    private static async Task AssertRouterStateAsync(LabHost router)
    {
        var listed = await router.RunCheckedAsync("nft", "--debug=netlink", "list", "chain", "inet", Table, Chain);
        string[] match =
        [
            "[ meta load l4proto => reg 1 ]",
            "[ cmp eq reg 1 0x00000006 ]",
            "[ meta load nfproto => reg 1 ]",
            "[ cmp eq reg 1 0x00000002 ]",
            "[ payload load 4b @ network header + 16 => reg 1 ]",
            "[ cmp eq reg 1 0x0a7100cb ]",
            "[ payload load 2b @ transport header + 2 => reg 1 ]",
            "[ cmp eq reg 1 0x00005000 ]",
        ];
        string[] expected =
        [
            .. match,
            "[ immediate reg 1 0x0000e83a ]", // 15080 big-endian
            "[ tproxy ip port reg 1 ]",
            "[ immediate reg 1 0x00000001 ]",
            "[ meta set mark with reg 1 ]",
            "[ immediate reg 0 accept ]",
            .. match,
            "[ immediate reg 0 drop ]",
        ];
        var expressions = listed.StandardOutput.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('[')).ToArray();
        Assert.True(expressions.SequenceEqual(expected),
            $"expected the prerouting chain to hold the tproxy rule and the drop:\n{string.Join('\n', expected)}\nnft showed:\n{listed.StandardOutput}");
        Assert.Contains($"hook prerouting priority mangle; policy accept;", listed.StandardOutput, StringComparison.Ordinal);

        var rules = await IpJson.QueryAsync(router, "rule", "show");
        Assert.True(rules.Count(r => r.Text("priority") == "100" && r.Text("fwmark") == "0x1" && r.Text("table") == "100") == 1,
            $"expected one rule 'priority 100 fwmark 0x1 lookup 100', ip showed {IpJson.Describe(rules)}");
        var routes = await IpJson.QueryAsync(router, "route", "show", "table", "100");
        Assert.True(routes.Length == 1 && routes[0].Text("type") == "local" && routes[0].Text("dst") == "default" && routes[0].Text("dev") == "lo",
            $"expected table 100 to hold only 'local default dev lo', ip showed {IpJson.Describe(routes)}");
    }

    private static async Task<string> DescribeAsync(Task<CommandResult> run)
    {
        try
        {
            return (await run).Describe();
        }
        catch (LabException e)
        {
            return e.Message;
        }
    }

    private static async Task<string> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var buffer = new byte[256];
        while (!received.Contains((byte)'\n'))
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, n));
        }

        return Encoding.ASCII.GetString([.. received]).TrimEnd('\n');
    }
}
