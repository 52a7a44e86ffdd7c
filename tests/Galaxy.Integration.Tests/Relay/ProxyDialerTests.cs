using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Egress.Proxy;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Agent.Relay.Tcp;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// Upstream proxies as egresses, against real servers in the server namespace: dante (SOCKS5) and tinyproxy
/// (HTTP CONNECT with basic auth). The web server there prints the address its client came from, so the
/// answer tells whether the flow really went through the proxy (203.0.113.10) or not (203.0.113.1).
/// </summary>
public sealed class ProxyDialerTests
{
    private const int WebPort = 80;
    private const int SocksPort = 1080;
    private const int HttpProxyPort = 8888;

    [Fact(Timeout = 30_000)]
    public async Task A_flow_rides_a_socks5_proxy()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await StartWebServerAsync(lab);
        await StartDanteAsync(lab);
        await using var relay = Relay(lab, transport => new Socks5Dialer("socks", Proxy(SocksPort), null, transport, TimeSpan.FromSeconds(5)));

        var page = await lab.Client.RunAsync("curl", "-sS", "--max-time", "10", $"http://{TproxyLab.ServerAddress}:{WebPort}/");

        Assert.True(page.Succeeded, page.Describe());
        Assert.Equal($"peer={TproxyLab.ServerAddress}", page.StandardOutput.Trim());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_socks5_ruleset_refusal_resets_the_client()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await StartDanteAsync(lab);
        await using var relay = Relay(lab, transport => new Socks5Dialer("socks", Proxy(SocksPort), null, transport, TimeSpan.FromSeconds(5)));

        // dante's ruleset blocks port 81.
        var page = await lab.Client.RunAsync("curl", "-sS", "--max-time", "10", $"http://{TproxyLab.ServerAddress}:81/");

        Assert.True(CurlExit.Reset(page.ExitCode), $"expected a reset; {page.Describe()}");
        Assert.Equal(1, relay.Refused);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_that_speaks_first_is_heard_through_a_socks5_proxy()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await StartDanteAsync(lab);
        // Like SSH or SMTP: the server sends its banner before the client says anything. It may reach the relay
        // in the same read as the proxy's reply, and must go to the client all the same.
        lab.Server.Start("socat", "TCP-LISTEN:2222,reuseaddr,fork", "SYSTEM:echo SSH-2.0-galaxy-banner; sleep 2");
        await lab.Server.WaitForListenerAsync(2222);
        await using var relay = Relay(lab, transport => new Socks5Dialer("socks", Proxy(SocksPort), null, transport, TimeSpan.FromSeconds(5)));

        var banner = await lab.Client.RunAsync("timeout", "10", "socat", "-u", $"TCP:{TproxyLab.ServerAddress}:2222", "STDOUT");

        Assert.True(banner.Succeeded, banner.Describe());
        Assert.Equal("SSH-2.0-galaxy-banner", banner.StandardOutput.Trim());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_socks5_proxy_that_never_answers_is_given_up_and_the_client_is_reset()
    {
        await using var lab = await TproxyLab.CreateAsync();
        // A "proxy" whose kernel completes the connection but which never reads the greeting nor answers.
        using var mute = LabTcp.Listen(lab.Server, TproxyLab.ServerEndPoint(SocksPort));
        await using var relay = Relay(lab, transport => new Socks5Dialer("socks", Proxy(SocksPort), null, transport, TimeSpan.FromSeconds(1)),
            connectTimeout: TimeSpan.FromSeconds(1));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var page = await lab.Client.RunAsync("curl", "-sS", "--max-time", "15", $"http://{TproxyLab.ServerAddress}:{WebPort}/");
        clock.Stop();

        // A reset after connect and handshake time (1 s + 1 s), within the loop's 1 s sweep; not curl's own timeout (28).
        Assert.True(CurlExit.Reset(page.ExitCode), $"expected a reset; {page.Describe()}");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        Assert.Equal(1, relay.Refused);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_flow_rides_an_http_proxy_with_basic_auth()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await StartWebServerAsync(lab);
        await StartTinyproxyAsync(lab);
        await using var relay = Relay(lab, transport =>
            new HttpConnectDialer("http", Proxy(HttpProxyPort), new ProxyCredentials("alice", "s3cret"), transport, TimeSpan.FromSeconds(5)));

        var page = await lab.Client.RunAsync("curl", "-sS", "--max-time", "10", $"http://{TproxyLab.ServerAddress}:{WebPort}/");

        Assert.True(page.Succeeded, page.Describe());
        Assert.Equal($"peer={TproxyLab.ServerAddress}", page.StandardOutput.Trim());
    }

    [Fact(Timeout = 30_000)]
    public async Task Wrong_proxy_credentials_reset_the_client()
    {
        await using var lab = await TproxyLab.CreateAsync();
        await StartWebServerAsync(lab);
        await StartTinyproxyAsync(lab);
        await using var relay = Relay(lab, transport =>
            new HttpConnectDialer("http", Proxy(HttpProxyPort), new ProxyCredentials("alice", "wrong"), transport, TimeSpan.FromSeconds(5)));

        var page = await lab.Client.RunAsync("curl", "-sS", "--max-time", "10", $"http://{TproxyLab.ServerAddress}:{WebPort}/");

        Assert.True(CurlExit.Reset(page.ExitCode), $"expected a reset; {page.Describe()}");
        Assert.Equal(1, relay.Refused);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("socks5")]
    [InlineData("http")]
    public async Task An_ipv6_flow_rides_a_proxy_reached_over_ipv4(string kind)
    {
        await using var lab = await TproxyLab.CreateAsync();
        await StartWebServerAsync(lab, ipv6: true);
        IEgressDialer Proxied(IEgressDialer transport) => kind == "socks5"
            ? new Socks5Dialer("socks", Proxy(SocksPort), null, transport, TimeSpan.FromSeconds(5))
            : new HttpConnectDialer("http", Proxy(HttpProxyPort), new ProxyCredentials("alice", "s3cret"), transport, TimeSpan.FromSeconds(5));
        await (kind == "socks5" ? StartDanteAsync(lab) : StartTinyproxyAsync(lab));
        await using var relay = Relay(lab, Proxied, AddressFamily.InterNetworkV6);

        var page = await lab.Client.RunAsync("curl", "-sS", "--max-time", "10", $"http://[{TproxyLab.ServerAddress6}]:{WebPort}/");

        // The proxy (in the server's namespace) dialed the IPv6 destination itself: the web server saw the
        // server's own address, not the router's (2001:db8:113::1); forwarding is off, so only the relay carries it.
        Assert.True(page.Succeeded, page.Describe());
        var peer = page.StandardOutput.Trim();
        Assert.True(peer.StartsWith("peer=[", StringComparison.Ordinal), $"expected peer=[ADDRESS], saw {peer}");
        Assert.Equal(IPAddress.Parse(TproxyLab.ServerAddress6), IPAddress.Parse(peer["peer=[".Length..].TrimEnd(']')));
    }

    private static IPEndPoint Proxy(int port) => TproxyLab.ServerEndPoint(port);

    private static async Task StartWebServerAsync(TproxyLab lab, bool ipv6 = false)
    {
        // Reads the request up to its blank line first (closing with unread bytes would reset the reply
        // away), then answers with the address the connection came from.
        var script = Path.Combine(lab.Lab.WorkDirectory, "web.sh");
        await File.WriteAllTextAsync(script, """
            sed '/^\r$/q' >/dev/null
            printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npeer=%s\n' "$SOCAT_PEERADDR"
            """, TestContext.Current.CancellationToken);
        lab.Server.Start("socat", ipv6 ? $"TCP6-LISTEN:{WebPort},ipv6only=1,reuseaddr,fork" : $"TCP-LISTEN:{WebPort},reuseaddr,fork", $"EXEC:sh {script}");
        await lab.Server.WaitForListenerAsync(WebPort);
    }

    internal static async Task StartDanteAsync(TproxyLab lab)
    {
        LabPrerequisites.RequireTools("danted");
        var config = Path.Combine(lab.Lab.WorkDirectory, "danted.conf");
        await File.WriteAllTextAsync(config, $$"""
            logoutput: stderr
            internal: {{TproxyLab.ServerAddress}} port = {{SocksPort}}
            external: eth0
            clientmethod: none
            socksmethod: none
            user.privileged: root
            user.unprivileged: nobody
            client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
            socks block { from: 0.0.0.0/0 to: {{TproxyLab.ServerAddress}}/32 port = 81 }
            socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }
            socks pass { from: 0.0.0.0/0 to: ::/0 }
            """, TestContext.Current.CancellationToken);
        lab.Server.Start("danted", "-f", config, "-p", Path.Combine(lab.Lab.WorkDirectory, "danted.pid"));
        await lab.Server.WaitForListenerAsync(SocksPort);
    }

    private static async Task StartTinyproxyAsync(TproxyLab lab)
    {
        LabPrerequisites.RequireTools("tinyproxy");
        var config = Path.Combine(lab.Lab.WorkDirectory, "tinyproxy.conf");
        await File.WriteAllTextAsync(config, $"""
            Port {HttpProxyPort}
            Listen {TproxyLab.ServerAddress}
            Timeout 30
            MaxClients 16
            Allow 203.0.113.0/24
            BasicAuth alice s3cret
            ConnectPort {WebPort}
            LogLevel Info
            """, TestContext.Current.CancellationToken);
        lab.Server.Start("tinyproxy", "-d", "-c", config);
        await lab.Server.WaitForListenerAsync(HttpProxyPort);
    }

    private static RelayHandle Relay(TproxyLab lab, Func<IEgressDialer, IEgressDialer> proxy, AddressFamily family = AddressFamily.InterNetwork,
        TimeSpan? connectTimeout = null)
    {
        // The proxy is reached on the WAN by a socket carrying the egress mark (no device binding).
        var wan = new DeviceDialer("wan", device: null, TproxyLab.EgressMark, connectTimeout ?? TimeSpan.FromSeconds(5), lab.RouterSockets);
        var dialer = proxy(wan);
        var loop = new SpliceLoop("test-splice", TimeSpan.FromMinutes(5));
        var listener = TcpRelay.Listen(TproxyLab.RelayEndPoint(family), 128, lab.RouterSockets);
        var relay = new TcpRelay(listener, (_, _, _) => new FlowRoute(dialer), [loop], new TcpRelayOptions());
        relay.Start();
        return new RelayHandle(relay, loop);
    }

    private sealed class RelayHandle(TcpRelay relay, SpliceLoop loop) : IAsyncDisposable
    {
        public long Refused => relay.Refused;

        public async ValueTask DisposeAsync()
        {
            await relay.DisposeAsync();
            loop.Dispose();
        }
    }
}
