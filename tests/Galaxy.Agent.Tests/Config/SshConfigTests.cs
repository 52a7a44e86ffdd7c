using System.Net;
using Galaxy.Agent.Config;

namespace Galaxy.Agent.Tests.Config;

/// <summary>The <c>type = "ssh"</c> egress and <c>via</c> chains in galaxy.toml.</summary>
public sealed class SshConfigTests : IDisposable
{
    private const string Router = """
        [router]
        lan = ["lan0"]
        wan = "wan0"

        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-sshconfig-").FullName;

    public SshConfigTests()
    {
        File.WriteAllText(Path.Combine(_folder, "nyc.key"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
        File.WriteAllText(Path.Combine(_folder, "nyc.known_hosts"), "[203.0.113.1]:2222 ssh-ed25519 AAAA\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(Path.Combine(_folder, "nyc.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string Ssh(string name = "nyc", string extra = "") => $"""
        [[egress]]
        name = "{name}"
        type = "ssh"
        endpoint = "203.0.113.1:2222"
        user = "galaxy"
        identity = "nyc.key"
        known-hosts = "nyc.known_hosts"
        {extra}

        """;

    [Fact]
    public void An_ssh_egress_is_read_with_paths_next_to_the_file_and_two_connections_by_default()
    {
        var config = Load(Router + Ssh());
        var ssh = Assert.IsType<SshEgressConfig>(Assert.Single(config.Egresses));

        Assert.Equal("ssh", ssh.Kind);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.1"), 2222), ssh.Endpoint);
        Assert.Equal("galaxy", ssh.User);
        Assert.Equal(Path.Combine(_folder, "nyc.key"), ssh.Identity);
        Assert.Equal(Path.Combine(_folder, "nyc.known_hosts"), ssh.KnownHosts);
        Assert.Equal(2, ssh.Connections);
        Assert.Null(ssh.Via);
    }

    [Fact]
    public void Port_22_is_the_default_and_IPv6_is_written_in_brackets()
    {
        Assert.True(ConfigLoader.TryParseSshEndpoint("203.0.113.1", out var v4));
        Assert.Equal("203.0.113.1:22", v4!.ToString());
        Assert.True(ConfigLoader.TryParseSshEndpoint("[2001:db8::1]:2222", out var v6));
        Assert.Equal("[2001:db8::1]:2222", v6!.ToString());
        Assert.False(ConfigLoader.TryParseSshEndpoint("vps.example.com:22", out _));
        Assert.False(ConfigLoader.TryParseSshEndpoint("203.0.113:22", out _));
        Assert.False(ConfigLoader.TryParseSshEndpoint("203.0.113.1:0", out _));
    }

    [Fact]
    public void Every_ssh_mistake_is_reported_with_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Router + """
            [[egress]]
            name = "nyc"
            type = "ssh"
            endpoint = "vps.example.com:22"
            user = "Root User"
            identity = "missing.key"
            known-hosts = "missing.pins"
            connections = 9
            """));

        var lines = e.Errors.Select(r => (r.Line, r.Message)).ToList();
        Assert.Contains(lines, l => l.Line == 7 && l.Message.Contains("no host names", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 8 && l.Message.Contains("not a login name", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 9 && l.Message.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 10 && l.Message.Contains("pinned host key", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 11 && l.Message.Contains("between 1 and 8", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_key_is_named()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Router + """
            [[egress]]
            name = "nyc"
            type = "ssh"
            endpoint = "203.0.113.1"
            identity = "nyc.key"
            known-hosts = "nyc.known_hosts"
            """));

        Assert.Contains(e.Errors, r => r.Line == 4 && r.Message.Contains("needs 'user'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_key_others_can_read_is_refused_as_ssh_would()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        File.SetUnixFileMode(Path.Combine(_folder, "nyc.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var e = Assert.Throws<ConfigException>(() => Load(Router + Ssh()));
        Assert.Contains(e.Errors, r => r.Line == 9 && r.Message.Contains("chmod 600", StringComparison.Ordinal));
    }

    [Fact]
    public void An_ssh_egress_may_ride_on_an_openvpn_egress_and_a_proxy_on_an_ssh_egress()
    {
        File.WriteAllText(Path.Combine(_folder, "vps.ovpn"), Tunnels.OpenVpn.OvpnSamples.Minimal.Replace("auth-user-pass\n", "", StringComparison.Ordinal));
        var config = Load(Router + Ssh(extra: "via = \"tun\"") + """
            [[egress]]
            name = "tun"
            type = "openvpn"
            profile = "vps.ovpn"

            [[egress]]
            name = "far"
            type = "socks5"
            address = "192.0.2.10:1080"
            via = "nyc"
            """);

        Assert.Equal(("tun", 11), config.Egresses[0].Via);
        Assert.Equal("nyc", config.Egresses[2].Via!.Value.Name);
    }

    [Fact]
    public void Via_must_name_an_egress_that_can_carry_the_rider()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Router + Ssh(extra: "via = \"socks\"") + """
            [[egress]]
            name = "socks"
            type = "socks5"
            address = "192.0.2.10:1080"
            via = "nowhere"

            [[egress]]
            name = "out"
            type = "direct"
            via = "socks"

            [[egress]]
            name = "web"
            type = "http"
            address = "192.0.2.11:3128"
            via = "out"
            """));

        var lines = e.Errors.Select(r => (r.Line, r.Message)).ToList();
        Assert.Contains(lines, l => l.Line == 11 && l.Message.Contains("rides only on an openvpn egress", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 16 && l.Message.Contains("'nowhere' names no egress", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 21 && l.Message.Contains("'via' applies to ssh, socks5 and http", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 27 && l.Message.Contains("direct egress, which is the WAN itself", StringComparison.Ordinal));
    }

    [Fact]
    public void A_via_cycle_is_refused_once_with_the_whole_loop_and_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Router + """
            [[egress]]
            name = "a"
            type = "socks5"
            address = "192.0.2.10:1080"
            via = "b"

            [[egress]]
            name = "b"
            type = "http"
            address = "192.0.2.11:3128"
            via = "c"

            [[egress]]
            name = "c"
            type = "socks5"
            address = "192.0.2.12:1080"
            via = "a"

            [[egress]]
            name = "d"
            type = "socks5"
            address = "192.0.2.13:1080"
            via = "d"
            """));

        var cycle = Assert.Single(e.Errors, r => r.Message.Contains("cycle", StringComparison.Ordinal));
        Assert.Equal(8, cycle.Line);
        Assert.Contains("a → b → c → a", cycle.Message, StringComparison.Ordinal);
        Assert.Contains(e.Errors, r => r.Line == 26 && r.Message.Contains("names the egress itself", StringComparison.Ordinal));
        Assert.Equal(2, e.Errors.Length);
    }

    private GalaxyConfig Load(string text)
    {
        var path = Path.Combine(_folder, "galaxy.toml");
        File.WriteAllText(path, text);
        return ConfigLoader.LoadFile(path);
    }
}
