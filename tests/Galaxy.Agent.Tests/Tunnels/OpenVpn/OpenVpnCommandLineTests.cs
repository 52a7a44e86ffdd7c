using System.Collections.Immutable;
using System.Net;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn;

public sealed class OpenVpnCommandLineTests
{
    /// <summary>Every option name Galaxy puts on OpenVPN's command line; nothing else may appear there.</summary>
    internal static readonly ImmutableHashSet<string> GalaxyOptions =
    [
        "--config", "--dev", "--dev-type", "--persist-tun", "--mark", "--management", "--management-client", "--management-hold",
        "--management-query-passwords", "--route-noexec", "--pull-filter", "--allow-recursive-routing", "--script-security", "--auth-retry",
        "--remote", "--nobind", "--verb", "--suppress-timestamps",
        "--hand-window", "--server-poll-timeout", "--ping", "--ping-restart",
    ];

    [Fact]
    public void Argv_puts_Galaxy_settings_after_the_config_with_a_decimal_mark_and_pinned_remotes()
    {
        var profile = Import(OvpnSamples.Commercial);
        var invocation = OpenVpnCommandLine.Build(profile, OvpnSamples.Settings(profile));

        Assert.Equal("/usr/sbin/openvpn", invocation.Executable);
        Assert.Equal("/run/galaxy/ovpn-test/openvpn.conf", invocation.ConfigPath);
        string[] expected =
        [
            // Timer defaults first, so the profile overrides them; no ping defaults: it has a keepalive.
            "--hand-window", "15", "--server-poll-timeout", "10",
            "--config", "/run/galaxy/ovpn-test/openvpn.conf",
            "--dev", "glx-t0", "--dev-type", "tun",
            "--persist-tun",
            "--mark", "71",
            "--management", "/run/galaxy/ovpn-test/mgmt.sock", "unix", "--management-client", "--management-hold",
            "--management-query-passwords",
            "--route-noexec",
            "--pull-filter", "ignore", "redirect-gateway",
            "--pull-filter", "ignore", "redirect-private",
            "--pull-filter", "ignore", "route",
            "--pull-filter", "ignore", "route-ipv6",
            "--pull-filter", "ignore", "block-outside-dns",
            "--allow-recursive-routing",
            "--script-security", "1",
            "--auth-retry", "none",
            "--remote", "192.0.2.1", "1194", "udp4",
            "--remote", "192.0.2.2", "1194", "udp4",
            "--nobind",
            "--verb", "3", "--suppress-timestamps",
        ];
        Assert.Equal(expected, invocation.Arguments);
        Assert.DoesNotContain("dhcp-option", invocation.Arguments);
        Assert.DoesNotContain("--route-nopull", invocation.Arguments);
    }

    [Fact]
    public void A_profile_without_keepalive_or_ping_gets_Galaxy_ping_defaults_before_the_config()
    {
        var profile = Import(OvpnSamples.Minimal);
        Assert.DoesNotContain(profile.Directives, d => d.Name is "keepalive" or "ping" or "ping-restart" or "ping-exit");
        var arguments = OpenVpnCommandLine.Build(profile, OvpnSamples.Settings(profile)).Arguments;

        Assert.Equal(
            ["--hand-window", "15", "--server-poll-timeout", "10", "--ping", "10", "--ping-restart", "30", "--config"],
            arguments.Take(9));
        Assert.True(arguments.Count(a => a == "--config") == 1, $"expected one --config; argv: {string.Join(' ', arguments)}");
    }

    [Theory]
    [InlineData("keepalive 10 60\n")]
    [InlineData("ping 5\n")]
    [InlineData("ping-restart 40\n")]
    [InlineData("ping-exit 90\n")]
    public void A_profile_with_its_own_keepalive_or_ping_gets_no_ping_defaults(string line)
    {
        // OpenVPN refuses keepalive next to ping or ping-restart ("--keepalive conflicts with --ping ..."),
        // and a profile's own choice wins anyway.
        var profile = Import(OvpnSamples.Minimal + line);
        var arguments = OpenVpnCommandLine.Build(profile, OvpnSamples.Settings(profile)).Arguments;

        Assert.DoesNotContain("--ping", arguments);
        Assert.DoesNotContain("--ping-restart", arguments);
        Assert.Equal(["--hand-window", "15", "--server-poll-timeout", "10", "--config"], arguments.Take(5));
    }

    [Fact]
    public void Without_auth_user_pass_no_passwords_are_queried()
    {
        using var temp = new TempFolder();
        var profile = OvpnImporter.ImportFile(OvpnSamples.WriteFolderProfile(temp.Path)).Profile!;
        var invocation = OpenVpnCommandLine.Build(profile, OvpnSamples.Settings(profile));
        Assert.DoesNotContain("--management-query-passwords", invocation.Arguments);
        Assert.Equal(["--remote", "192.0.2.1", "443", "tcp4-client"], invocation.Arguments.SkipWhile(a => a != "--remote").Take(4));
    }

    [Fact]
    public void The_sanitized_config_holds_only_kept_directives_and_inline_material()
    {
        using var temp = new TempFolder();
        var profile = OvpnImporter.ImportFile(OvpnSamples.WriteFolderProfile(temp.Path)).Profile!;
        var config = OpenVpnCommandLine.Build(profile, OvpnSamples.Settings(profile)).ConfigText;

        Assert.DoesNotContain("keys/", config, StringComparison.Ordinal);
        Assert.DoesNotContain(temp.Path, config, StringComparison.Ordinal);
        var directives = OvpnSamples.ReadBack(config, out var errors);
        Assert.Empty(errors);
        Assert.Equal(
            ["client", "ca", "cert", "key", "tls-auth", "remote-cert-tls", "data-ciphers", "verb", "key-direction"],
            directives.Select(d => d.Name));
        Assert.Equal(OvpnSamples.Pem("PRIVATE KEY", 13), directives.Single(d => d.Name == "key").Inline);
    }

    [Fact]
    public void Connection_profiles_get_one_block_per_pinned_remote_and_no_remote_on_argv()
    {
        var profile = Import(OvpnSamples.Connections);
        var invocation = OpenVpnCommandLine.Build(profile, OvpnSamples.Settings(profile));

        Assert.DoesNotContain("--remote", invocation.Arguments);
        Assert.DoesNotContain("--nobind", invocation.Arguments);
        var blocks = OvpnSamples.ReadBack(invocation.ConfigText, out var errors).Where(d => d.IsConnectionBlock).ToArray();
        Assert.Empty(errors);
        Assert.Equal(3, blocks.Length);
        Assert.Equal(["192.0.2.1", "1194", "udp4"], blocks[0].Block[0].Arguments);
        Assert.Equal(["192.0.2.2", "443", "tcp4-client"], blocks[1].Block[0].Arguments);
        Assert.Equal(["2001:db8::3", "1195", "udp6"], blocks[2].Block[0].Arguments);
        Assert.Equal(["remote", "nobind", "explicit-exit-notify", "connect-timeout"], blocks[0].Block.Select(d => d.Name));
        Assert.Equal(["remote", "nobind", "connect-retry"], blocks[1].Block.Select(d => d.Name));
    }

    [Fact]
    public void Words_are_re_quoted_so_that_OpenVPN_reads_them_back_unchanged()
    {
        var profile = Import(OvpnSamples.Minimal + "verify-x509-name \"CN=a \\\"b\\\" \\\\ c #d ;e <f>\" name\ntls-cipher 'x\\y'\nverb \"3\"\n");
        var config = OpenVpnCommandLine.Build(profile, OvpnSamples.Settings(profile)).ConfigText;

        Assert.Contains("verify-x509-name \"CN=a \\\"b\\\" \\\\ c #d ;e <f>\" name\n", config, StringComparison.Ordinal);
        Assert.Contains("verb 3\n", config, StringComparison.Ordinal);
        var read = OvpnSamples.ReadBack(config, out var errors);
        Assert.Empty(errors);
        Assert.Equal(["CN=a \"b\" \\ c #d ;e <f>", "name"], read.Single(d => d.Name == "verify-x509-name").Arguments);
        Assert.Equal(["x\\y"], read.Single(d => d.Name == "tls-cipher").Arguments);
    }

    [Theory]
    [InlineData("tun0-is-too-long-for-linux", 71, "/run/g/m.sock", "/run/g")]
    [InlineData("bad name", 71, "/run/g/m.sock", "/run/g")]
    [InlineData("glx0", 0, "/run/g/m.sock", "/run/g")]
    [InlineData("glx0", -5, "/run/g/m.sock", "/run/g")]
    [InlineData("glx0", 71, "relative.sock", "/run/g")]
    [InlineData("glx0", 71, "/run/g/m\n.sock", "/run/g")]
    [InlineData("glx0", 71, "/run/g/m.sock", "run/g")]
    public void Settings_Galaxy_cannot_express_safely_are_refused(string device, int mark, string socket, string runtime)
    {
        var profile = Import(OvpnSamples.Minimal);
        var settings = OvpnSamples.Settings(profile) with { DeviceName = device, Mark = mark, ManagementSocket = socket, RuntimeDirectory = runtime };
        Assert.Throws<ArgumentException>(() => OpenVpnCommandLine.Build(profile, settings));
    }

    [Fact]
    public void A_pinned_remote_must_name_a_remote_of_the_profile()
    {
        var profile = Import(OvpnSamples.Minimal);
        var settings = OvpnSamples.Settings(profile) with { Remotes = [new PinnedRemote(IPAddress.Parse("192.0.2.1"), 1194, OvpnTransport.Udp, 5)] };
        Assert.Throws<ArgumentException>(() => OpenVpnCommandLine.Build(profile, settings));
        Assert.Throws<ArgumentException>(() => OpenVpnCommandLine.Build(profile, settings with { Remotes = [] }));
        Assert.Throws<ArgumentException>(() => OpenVpnCommandLine.Build(profile, settings with { Remotes = [new PinnedRemote(IPAddress.Parse("192.0.2.1"), 1194, OvpnTransport.Tcp, 0)] }));
    }

    public static TheoryData<string> RealisticProfiles => ["commercial", "files", "connections"];

    /// <summary>The honest check: the real openvpn accepts the generated file and argv (see <see cref="OpenVpnOracle"/>).</summary>
    [Theory]
    [MemberData(nameof(RealisticProfiles))]
    public async Task OpenVPN_itself_accepts_the_generated_config_and_argv_and_waits_in_hold(string which)
    {
        OpenVpnOracle.RequireInstalled();
        using var temp = new TempFolder();
        var profile = which switch
        {
            "commercial" => Import(OvpnSamples.Commercial),
            "connections" => Import(OvpnSamples.Connections),
            _ => OvpnImporter.ImportFile(OvpnSamples.WriteFolderProfile(Path.Combine(temp.Path, "profile"))).Profile!,
        };

        var (held, output) = await OpenVpnOracle.ReachesHoldAsync(profile, Path.Combine(temp.Path, "run"), TestContext.Current.CancellationToken);
        Assert.True(held, $"expected openvpn to reach the management hold; it printed:\n{output}");
    }

    private static OvpnProfile Import(string text)
    {
        var result = OvpnSamples.Import(text);
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        return result.Profile!;
    }
}
