using Galaxy.Agent.Config;

namespace Galaxy.Agent.Tests.Config;

public sealed class ConfigLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_complete_file_becomes_the_model_with_defaults_for_what_it_leaves_out()
    {
        var config = Load("""
            [router]
            lan = ["lan0", "lan1"]
            wan = "wan0"

            [dns]
            bootstrap = ["192.0.2.53", "198.51.100.53:5300"]

            [[egress]]
            name = "proxy"
            type = "socks5"
            address = "socks5://192.0.2.10:1080"

            [[egress]]
            name = "out"
            type = "direct"
            """);

        Assert.Equal(["lan0", "lan1"], config.Router.LanInterfaces);
        Assert.Equal("wan0", config.Router.WanInterface);
        Assert.Equal(7890, config.Relay.Port);
        Assert.Equal(5353, config.Dns.Port);
        Assert.Equal(["192.0.2.53:53", "198.51.100.53:5300"], config.Dns.Bootstrap.Select(e => e.ToString()));
        Assert.Equal("/etc/resolv.conf", config.Dns.ResolvConf);
        Assert.Equal("/run/galaxy/galaxy.sock", config.Control.Socket);
        Assert.Equal(["proxy:socks5", "out:direct"], config.Egresses.Select(e => $"{e.Name}:{e.Kind}"));
        Assert.Equal(new Uri("socks5://192.0.2.10:1080"), ((ProxyEgressConfig)config.Egresses[0]).Address);
    }

    [Fact]
    public void Every_error_is_reported_at_once_each_with_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => Load("""
            [router]
            lan = ["lan0"]
            wna = "wan0"

            [relay]
            port = 70000

            [[egress]]
            name = "Bad Name"
            type = "direct"

            [[egress]]
            name = "x"
            type = "wireguard"

            [colour]
            """));

        var lines = e.Errors.Select(r => (r.Line, r.Message)).ToList();
        Assert.Contains(lines, l => l.Line == 1 && l.Message.Contains("needs 'wan'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 3 && l.Message.Contains("unknown key 'wna'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 6 && l.Message.Contains("between 1 and 65535", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 9 && l.Message.Contains("egress name 'Bad Name'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 14 && l.Message.Contains("unknown egress type 'wireguard'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 16 && l.Message.Contains("unknown table 'colour'", StringComparison.Ordinal));
        Assert.All(e.Errors, r => Assert.EndsWith("galaxy.toml", r.File, StringComparison.Ordinal));
    }

    [Fact]
    public void A_syntax_error_names_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => Load("[router]\nlan = [\"lan0\"\nwan = \"wan0\"\n"));
        Assert.All(e.Errors, r => Assert.InRange(r.Line, 2, 3));
    }

    [Fact]
    public void Duplicate_egress_names_and_LAN_equal_to_WAN_are_refused()
    {
        var e = Assert.Throws<ConfigException>(() => Load("""
            [router]
            lan = ["eth0"]
            wan = "eth0"

            [[egress]]
            name = "a"
            type = "direct"

            [[egress]]
            name = "a"
            type = "direct"
            """));

        Assert.Contains(e.Errors, r => r.Line == 3 && r.Message.Contains("both a LAN interface and the WAN", StringComparison.Ordinal));
        Assert.Contains(e.Errors, r => r.Line == 10 && r.Message.Contains("already defined on line 5", StringComparison.Ordinal));
    }

    [Fact]
    public void A_proxy_must_be_an_address_literal()
    {
        var e = Assert.Throws<ConfigException>(() => Load("""
            [router]
            lan = ["lan0"]
            wan = "wan0"

            [[egress]]
            name = "p"
            type = "http"
            address = "http://proxy.example.net:3128"
            """));

        Assert.Contains(e.Errors, r => r.Line == 8 && r.Message.Contains("IP address", StringComparison.Ordinal));
    }

    [Fact]
    public void An_openvpn_profile_refusal_is_reported_with_the_profile_s_own_file_and_line()
    {
        File.WriteAllText(Path.Combine(_folder, "evil.ovpn"), "client\ndev tun\nremote 192.0.2.1 1194 udp\nup /bin/sh\n");
        var e = Assert.Throws<ConfigException>(() => Load("""
            [router]
            lan = ["lan0"]
            wan = "wan0"

            [[egress]]
            name = "vpn"
            type = "openvpn"
            profile = "evil.ovpn"
            """));

        Assert.Contains(e.Errors, r => r.File.EndsWith("evil.ovpn", StringComparison.Ordinal) && r.Line == 4);
        Assert.Contains(e.Errors, r => r.File.EndsWith("galaxy.toml", StringComparison.Ordinal) && r.Line == 8 && r.Message.Contains("refused", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_file_is_an_error_not_a_crash()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(Path.Combine(_folder, "absent.toml")));
        Assert.Contains("cannot read", e.Errors.Single().Message, StringComparison.Ordinal);
    }

    private GalaxyConfig Load(string text)
    {
        var path = Path.Combine(_folder, "galaxy.toml");
        File.WriteAllText(path, text);
        return ConfigLoader.LoadFile(path);
    }
}
