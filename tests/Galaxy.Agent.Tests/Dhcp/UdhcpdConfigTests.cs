using Galaxy.Agent.Cli;
using Galaxy.Agent.Config;
using Galaxy.Agent.Dhcp;

namespace Galaxy.Agent.Tests.Dhcp;

public sealed class UdhcpdConfigTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-udhcpd-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string dhcp)
    {
        var path = Path.Combine(_folder, "galaxy.toml");
        File.WriteAllText(path, "[router]\nlan = [\"eth1\"]\nwan = \"eth0\"\n\n" + dhcp);
        return path;
    }

    [Fact]
    public void The_udhcpd_configuration_names_the_router_as_gateway_and_dns()
    {
        var path = Write("[dhcp]\nenabled = true\nsubnet = \"198.51.100.64/26\"\nlease-time = 900\n");
        var text = UdhcpdConfig.Render(ConfigLoader.LoadFile(path).Dhcp, "/etc/galaxy/galaxy.toml");

        Assert.Equal("""
            # Rendered by `galaxy dhcp render` from /etc/galaxy/galaxy.toml ([dhcp]); do not edit.
            interface eth1
            start 198.51.100.66
            end 198.51.100.126
            max_leases 61
            lease_file /run/udhcpd.leases
            auto_time 0
            option subnet 255.255.255.192
            option router 198.51.100.65
            option dns 198.51.100.65
            option lease 900

            """, text);
    }

    [Fact]
    public void The_interfaces_stanza_gives_the_lan_its_static_address()
    {
        var path = Write("[dhcp]\nsubnet = \"198.51.100.0/24\"\n");
        Assert.Equal(
            "# Rendered by `galaxy dhcp render` from F ([dhcp]); do not edit.\nauto eth1\niface eth1 inet static\n\taddress 198.51.100.1/24\n",
            UdhcpdConfig.InterfacesStanza(ConfigLoader.LoadFile(path).Dhcp, "F"));
    }

    [Fact]
    public void Dhcp_render_writes_both_files_and_removes_the_server_configuration_when_disabled()
    {
        var conf = Path.Combine(_folder, "run", "udhcpd.conf");
        var stanza = Path.Combine(_folder, "interfaces.d", "galaxy-lan");
        var enabled = Write("[dhcp]\nenabled = true\nsubnet = \"198.51.100.0/24\"\n");

        var (code, output, error) = Run("dhcp", "render", "--config", enabled, "--out", conf, "--interfaces", stanza);
        Assert.True(code == ExitCodes.Ok, $"expected exit 0, saw {code}: {output}{error}");
        Assert.Contains("option router 198.51.100.1", File.ReadAllText(conf), StringComparison.Ordinal);
        Assert.Contains("address 198.51.100.1/24", File.ReadAllText(stanza), StringComparison.Ordinal);

        var disabled = Write("[dhcp]\nenabled = false\nsubnet = \"198.51.100.0/24\"\n");
        (code, output, error) = Run("dhcp", "render", "--config", disabled, "--out", conf, "--interfaces", stanza);
        Assert.True(code == ExitCodes.Ok, $"expected exit 0, saw {code}: {output}{error}");
        Assert.False(File.Exists(conf), $"expected {conf} removed when DHCP is disabled");
        Assert.True(File.Exists(stanza), "expected the LAN address stanza to stay: the address does not depend on DHCP");
        Assert.Contains("disabled", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Dhcp_render_refuses_a_bad_configuration_with_exit_3_and_its_line()
    {
        var bad = Write("[dhcp]\nenabled = true\n");
        var (code, _, error) = Run("dhcp", "render", "--config", bad);
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Contains("galaxy.toml:6: [dhcp] enabled = true needs 'subnet'", error, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = GalaxyCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
