using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Relay;
using Galaxy.Integration.Tests.Ssh;
using Galaxy.Integration.Tests.Support;
using Galaxy.Netlink;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>
/// Upstream proxies as egresses of the published agent, by address and with a <c>credentials</c> file, and a
/// proxy reached through an SSH egress (<c>via</c>). Real servers in <c>inet</c>: v2ray's SOCKS5 inbound with
/// password accounts (RFC 1929), tinyproxy with basic auth, dante. Each proxy opens its upstream connections
/// from 203.0.113.2, which the web server echoes back: an answer naming it went through the proxy.
/// </summary>
public sealed class ProxyEgressTests
{
    private const string ProxyAddress = RouterLab.SecondVps;
    private const int SocksPort = 1080;
    private const int HttpPort = 8888;
    private const int HiddenSocksPort = 1081;
    private const int DantePort = 1082;
    private const int UdpEchoPort = 7777;

    [Theory]
    [InlineData("socks5", SocksPort)]
    [InlineData("http", HttpPort)]
    public async Task A_LAN_request_leaves_through_the_proxy_with_its_credentials_and_nothing_else_reaches_the_WAN(string kind, int port)
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        await StartProxyAsync(lab, kind);
        var agent = await lab.StartAgentAsync(lab.WriteConfig(Egress(lab, kind, port, "alice\ns3cret\n")));
        await agent.WaitForOutputAsync("egress proxy is UP", TimeSpan.FromSeconds(10));

        var wan = await lab.Router.CaptureAsync("wan0");
        var body = await lab.CurlAsync($"http://{RouterLab.WebServer}/");
        Assert.True(body?.Trim() == $"you are {ProxyAddress}", $"expected the web server to see the proxy ({ProxyAddress}), got: {body ?? "(no answer)"} | {agent.Output()}");

        // The flow is the egress's: `galaxy egresses` counts its bytes under the egress's name.
        var json = await lab.Router.RunAsync([Artifacts.GalaxyBinary, "egresses", "--json", "--socket", lab.ControlSocket]);
        using (var egresses = JsonDocument.Parse(json.ExitCode == 0 ? json.StandardOutput : "[]"))
        {
            var proxy = egresses.RootElement.EnumerateArray().SingleOrDefault(e => e.GetProperty("name").GetString() == "proxy");
            Assert.True(proxy.ValueKind == JsonValueKind.Object && proxy.GetProperty("bytes_up").GetInt64() > 0 && proxy.GetProperty("bytes_down").GetInt64() > 0,
                $"expected the proxy egress to count the request's bytes: {json.Describe()}");
        }

        await LeakProbes.SendAsync(lab.LanHost);
        var packets = await wan.StopAsync();
        var foreign = RouterPackets(packets).Where(p => !(p.IsTcp && p.Destination?.ToString() == ProxyAddress && p.DestinationPort == port)).ToList();
        Assert.True(foreign.Count == 0, $"expected only the router's connections to {ProxyAddress}:{port} on the WAN, saw: {string.Join("; ", foreign.Take(10))}");
    }

    [Theory]
    [InlineData("socks5", SocksPort, "SOCKS5 proxy 203.0.113.2:1080 refused the credentials of user alice")]
    [InlineData("http", HttpPort, "the proxy refused the credentials of user alice")] // tinyproxy answers 401, not 407
    public async Task Wrong_credentials_refuse_the_flow_and_say_why(string kind, int port, string reason)
    {
        await using var lab = await RouterLab.CreateAsync();
        await lab.StartWebServerAsync();
        await StartProxyAsync(lab, kind);
        var agent = await lab.StartAgentAsync(lab.WriteConfig(Egress(lab, kind, port, "alice\nwrong\n")));
        await agent.WaitForOutputAsync("egress proxy is UP", TimeSpan.FromSeconds(10));

        var started = DateTime.UtcNow;
        var result = await lab.LanHost.RunAsync("curl", "-sS", "-m", "5", $"http://{RouterLab.WebServer}/");
        Assert.True(CurlExit.ResetOrClosed(result.ExitCode), $"expected the flow to be reset, got {result.Describe()}");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(4), "expected the refusal to reach the client quickly, not a timeout");
        await agent.WaitForOutputAsync(reason, TimeSpan.FromSeconds(5));

        // Also at the default log level: one warning for the egress (not a line per flow), and `galaxy egresses` says why.
        await agent.WaitForOutputAsync("1 flow(s) through proxy could not be dialed", TimeSpan.FromSeconds(5));
        var json = await lab.Router.RunAsync([Artifacts.GalaxyBinary, "egresses", "--json", "--socket", lab.ControlSocket]);
        Assert.True(json.ExitCode == 0, json.Describe());
        using (var egresses = JsonDocument.Parse(json.StandardOutput))
        {
            var proxy = egresses.RootElement.EnumerateArray().Single();
            Assert.True(proxy.GetProperty("up").GetBoolean(), proxy.ToString());
            Assert.Equal(1, proxy.GetProperty("dial_failures").GetInt64());
            var error = proxy.GetProperty("last_dial_error").GetString() ?? "";
            Assert.True(error.Contains($"{RouterLab.WebServer}:80", StringComparison.Ordinal) && error.Contains(reason, StringComparison.Ordinal), error);
        }

        var table = await lab.Router.RunAsync([Artifacts.GalaxyBinary, "egresses", "--socket", lab.ControlSocket]);
        Assert.True(table.ExitCode == 0 && table.StandardOutput.Contains($"1, last ", StringComparison.Ordinal)
            && table.StandardOutput.Contains(reason, StringComparison.Ordinal), table.Describe());
    }

    [Fact]
    public async Task An_established_flow_through_a_proxy_egress_is_closed_at_lockdown()
    {
        await using var lab = await RouterLab.CreateAsync();
        lab.Inet.Start("socat", $"TCP-LISTEN:7,bind={RouterLab.WebServer},fork,reuseaddr", "EXEC:cat");
        await lab.Inet.WaitForListenerAsync(7);
        await StartProxyAsync(lab, "socks5");
        var agent = await lab.StartAgentAsync(lab.WriteConfig(Egress(lab, "socks5", SocksPort, "alice\ns3cret\n")));
        await agent.WaitForOutputAsync("egress proxy is UP", TimeSpan.FromSeconds(10));

        // An echo connection through the proxy: the proxy's own connection stays allowed in lockdown (as a
        // tunnel's does), so only closing the relayed flow keeps its bytes from moving.
        using var held = NetworkNamespace.Run(lab.LanHost.NamespacePath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        await held.ConnectAsync(IPEndPoint.Parse($"{RouterLab.WebServer}:7"), TestContext.Current.CancellationToken);
        await held.SendAsync("ping"u8.ToArray(), SocketFlags.None, TestContext.Current.CancellationToken);
        var buffer = new byte[16];
        using (var echo = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            Assert.Equal(4, await held.ReceiveAsync(buffer, SocketFlags.None, echo.Token));
        }

        var on = await lab.Router.RunAsync([Artifacts.GalaxyBinary, "lockdown", "--agent", "on", "--socket", lab.ControlSocket]);
        Assert.True(on.ExitCode == 0, on.Describe());
        await agent.WaitForOutputAsync("flow(s) of egress proxy", TimeSpan.FromSeconds(5));

        // The client sees its flow end (a reset, or the end of the stream), not an echo.
        using var ended = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        int read;
        try
        {
            _ = await held.SendAsync("pong"u8.ToArray(), SocketFlags.None, ended.Token);
            read = await held.ReceiveAsync(buffer, SocketFlags.None, ended.Token);
        }
        catch (SocketException)
        {
            read = 0;
        }

        Assert.Equal(0, read);
    }

    [Fact]
    public async Task LAN_UDP_rides_the_SOCKS5_proxy_s_association_and_reaches_the_WAN_only_to_the_proxy()
    {
        await using var lab = await RouterLab.CreateAsync();
        await StartDanteAsync(lab, ProxyAddress, DantePort);
        var echoAt = new IPEndPoint(IPAddress.Parse(RouterLab.WebServer), UdpEchoPort);
        await using var echo = UdpEchoServer.Start(lab.Inet, echoAt);
        var agent = await lab.StartAgentAsync(lab.WriteConfig($"""
            [[egress]]
            name = "proxy"
            type = "socks5"
            address = "{ProxyAddress}:{DantePort}"
            """));
        await agent.WaitForOutputAsync("egress proxy is UP", TimeSpan.FromSeconds(10));

        var wan = await lab.Router.CaptureAsync("wan0");
        using var client = UdpProbe.Open(lab.LanHost);
        var reply = await client.ExchangeAsync(echoAt, "hello", TimeSpan.FromSeconds(10));
        var packets = await wan.StopAsync();

        // The echo server saw dante's address, and the reply came back from the address the client asked.
        Assert.Equal(UdpEchoServer.Reply(IPAddress.Parse(ProxyAddress), "hello"), reply.Text);
        Assert.Equal(echoAt, reply.From);
        var routerPackets = RouterPackets(packets).ToList();
        Assert.Contains(routerPackets, p => p.IsUdp && p.Destination?.ToString() == ProxyAddress);
        var foreign = routerPackets.Where(p => p.Destination?.ToString() != ProxyAddress).ToList();
        Assert.True(foreign.Count == 0, $"expected the router to send only to the proxy {ProxyAddress} on the WAN, saw: {string.Join("; ", foreign.Take(10))}");
    }

    [Fact]
    public async Task A_SOCKS5_proxy_reachable_only_from_the_SSH_server_carries_flows_via_the_SSH_egress()
    {
        await using var lab = await RouterLab.CreateAsync();
        await using var vps = await SshVps.CreateAsync(lab);
        await vps.StartAsync();
        await lab.StartWebServerAsync();

        // dante listens on inet's loopback: nothing but a process inside inet (sshd's forwarding) can reach it.
        await StartDanteAsync(lab, "127.0.0.1", HiddenSocksPort);
        var hidden = $"""
            [[egress]]
            name = "hidden"
            type = "socks5"
            address = "127.0.0.1:{HiddenSocksPort}"
            via = "{vps.Name}"
            """;

        // The proxy first: the default group (failover in file order) sends flows through it.
        var agent = await lab.StartAgentAsync(lab.WriteConfig(hidden + "\n" + vps.Egress()));
        await agent.WaitForOutputAsync("egress hidden is UP", TimeSpan.FromSeconds(30));

        var wan = await lab.Router.CaptureAsync("wan0");
        var body = await lab.CurlAsync($"http://{RouterLab.WebServer}/", 10);
        Assert.True(body?.Trim() == $"you are {ProxyAddress}", $"expected the web server to see dante's address ({ProxyAddress}), got: {body ?? "(no answer)"} | {agent.Output()}");
        var packets = await wan.StopAsync();
        var foreign = RouterPackets(packets).Where(p => !(p.IsTcp && p.Destination?.ToString() == RouterLab.Vps && p.DestinationPort == SshVps.Port)).ToList();
        Assert.True(foreign.Count == 0, $"expected only ssh to {RouterLab.Vps}:{SshVps.Port} on the WAN, saw: {string.Join("; ", foreign.Take(10))}");

        // The carrier goes down: the proxy riding on it goes down too, and its flows are refused.
        await vps.Sshd!.StopAsync();
        await lab.Router.RunCheckedAsync("pkill", "-9", "-x", "-P", agent.Pid.ToString(CultureInfo.InvariantCulture), "ssh");
        await agent.WaitForOutputAsync("egress hidden is DOWN", TimeSpan.FromSeconds(10));
        Assert.Null(await lab.CurlAsync($"http://{RouterLab.WebServer}/", 1.5));
    }

    /// <summary>The packets the router itself sent on the WAN (ARP and DHCP aside).</summary>
    private static IEnumerable<CapturedPacket> RouterPackets(IEnumerable<CapturedPacket> packets) =>
        packets.Where(p => p.Source is { } source
            && source.ToString() is not (RouterLab.UplinkAddress or RouterLab.WebServer or RouterLab.DnsServer or RouterLab.Vps or RouterLab.SecondVps)
            && !(p.IsUdp && (p.SourcePort, p.DestinationPort) is (68, 67)));

    private static string Egress(RouterLab lab, string kind, int port, string credentials)
    {
        var file = Path.Combine(lab.Lab.WorkDirectory, "proxy.credentials");
        File.WriteAllText(file, credentials);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return $"""
            [[egress]]
            name = "proxy"
            type = "{kind}"
            address = "{ProxyAddress}:{port}"
            credentials = "{file}"
            """;
    }

    private static Task StartProxyAsync(RouterLab lab, string kind) => kind == "socks5" ? StartV2RaySocksAsync(lab) : StartTinyproxyAsync(lab);

    /// <summary>v2ray's SOCKS5 inbound with one password account (alice / s3cret), going out from 203.0.113.2.</summary>
    private static async Task StartV2RaySocksAsync(RouterLab lab)
    {
        LabPrerequisites.RequireTools("v2ray");
        var config = Path.Combine(lab.Lab.WorkDirectory, "v2ray-socks.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "log": { "loglevel": "warning" },
              "inbounds": [ { "listen": "{{ProxyAddress}}", "port": {{SocksPort}}, "protocol": "socks",
                              "settings": { "auth": "password", "accounts": [ { "user": "alice", "pass": "s3cret" } ], "udp": false } } ],
              "outbounds": [ { "protocol": "freedom", "sendThrough": "{{ProxyAddress}}" } ]
            }
            """, TestContext.Current.CancellationToken);
        lab.Inet.Start("v2ray", "-config", config);
        await lab.Inet.WaitForListenerAsync(SocksPort);
    }

    /// <summary>tinyproxy with basic auth (alice / s3cret), going out from 203.0.113.2.</summary>
    private static async Task StartTinyproxyAsync(RouterLab lab)
    {
        LabPrerequisites.RequireTools("tinyproxy");
        var config = Path.Combine(lab.Lab.WorkDirectory, "tinyproxy.conf");
        await File.WriteAllTextAsync(config, $"""
            Port {HttpPort}
            Listen {ProxyAddress}
            Bind {ProxyAddress}
            Timeout 30
            MaxClients 16
            Allow {RouterLab.RouterWanAddress}
            BasicAuth alice s3cret
            ConnectPort 80
            LogLevel Info
            """, TestContext.Current.CancellationToken);
        lab.Inet.Start("tinyproxy", "-d", "-c", config);
        await lab.Inet.WaitForListenerAsync(HttpPort);
    }

    /// <summary>dante on <paramref name="address"/>, no authentication, going out from 203.0.113.2.</summary>
    private static async Task StartDanteAsync(RouterLab lab, string address, int port)
    {
        LabPrerequisites.RequireTools("danted");
        var config = Path.Combine(lab.Lab.WorkDirectory, "danted.conf");
        await File.WriteAllTextAsync(config, $$"""
            logoutput: stderr
            internal: {{address}} port = {{port}}
            external: {{ProxyAddress}}
            clientmethod: none
            socksmethod: none
            user.privileged: root
            user.unprivileged: nobody
            client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
            socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
            """, TestContext.Current.CancellationToken);
        lab.Inet.Start("danted", "-f", config, "-p", Path.Combine(lab.Lab.WorkDirectory, "danted.pid"));
        await lab.Inet.WaitForListenerAsync(port);
    }
}
