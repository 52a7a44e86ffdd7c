using Galaxy.Agent.Config;

namespace Galaxy.Agent.Tests.Config;

public sealed class DhcpConfigTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-dhcp-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private const string Router = """
        [router]
        lan = ["lan0", "lan1"]
        wan = "wan0"

        """;

    private GalaxyConfig Load(string dhcp)
    {
        var path = Path.Combine(_folder, "galaxy.toml");
        File.WriteAllText(path, Router + dhcp);
        return ConfigLoader.LoadFile(path);
    }

    [Fact]
    public void Without_a_dhcp_table_dhcp_is_disabled()
    {
        var config = Load("");
        Assert.False(config.Dhcp.Enabled, "expected DHCP disabled without [dhcp]");
        Assert.Null(config.Dhcp.Subnet);
    }

    [Fact]
    public void A_subnet_alone_gives_the_router_the_first_host_and_leases_the_rest()
    {
        var dhcp = Load("[dhcp]\nenabled = true\nsubnet = \"198.51.100.0/24\"\n").Dhcp;

        Assert.True(dhcp.Enabled, "expected DHCP enabled");
        Assert.Equal("lan0", dhcp.Interface);
        Assert.Equal("198.51.100.0/24", dhcp.Subnet?.ToString());
        Assert.Equal("198.51.100.1", dhcp.Address?.ToString());
        Assert.Equal(("198.51.100.2", "198.51.100.254"), (dhcp.RangeStart?.ToString(), dhcp.RangeEnd?.ToString()));
        Assert.Equal(3600, dhcp.LeaseSeconds);
        Assert.Equal("/run/udhcpd.leases", dhcp.LeaseFile);
    }

    [Fact]
    public void A_router_address_chosen_by_hand_is_kept_out_of_the_default_range()
    {
        var dhcp = Load("[dhcp]\nenabled = true\nsubnet = \"198.51.100.0/28\"\naddress = \"198.51.100.14\"\ninterface = \"lan1\"\nlease-time = 600\n").Dhcp;

        Assert.Equal("lan1", dhcp.Interface);
        Assert.Equal(("198.51.100.2", "198.51.100.13"), (dhcp.RangeStart?.ToString(), dhcp.RangeEnd?.ToString()));
        Assert.Equal(600, dhcp.LeaseSeconds);
    }

    [Fact]
    public void Every_dhcp_error_is_reported_with_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => Load("""
            [dhcp]
            enabled = "yes"
            interface = "eth9"
            subnet = "198.51.100.7/24"
            range-start = "192.0.2.10"
            colour = 1

            """));

        var lines = e.Errors.Select(r => (r.Line, r.Message)).ToList();
        Assert.Contains(lines, l => l.Line == 5 && l.Message.Contains("'enabled' must be true or false", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 6 && l.Message.Contains("'interface' must be one of [router] lan", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 7 && l.Message.Contains("'subnet' must be an IPv4 subnet", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 9 && l.Message.Contains("unknown key 'colour' in [dhcp]", StringComparison.Ordinal));
    }

    [Fact]
    public void Enabled_without_a_subnet_and_addresses_outside_it_are_refused()
    {
        var missing = Assert.Throws<ConfigException>(() => Load("[dhcp]\nenabled = true\n"));
        Assert.Contains(missing.Errors, r => r.Line == 5 && r.Message.Contains("needs 'subnet'", StringComparison.Ordinal));

        var outside = Assert.Throws<ConfigException>(() => Load("[dhcp]\nsubnet = \"198.51.100.0/24\"\nrange-end = \"192.0.2.10\"\n"));
        Assert.Contains(outside.Errors, r => r.Line == 6 && r.Message.Contains("not a host address of the subnet 198.51.100.0/24", StringComparison.Ordinal));

        var around = Assert.Throws<ConfigException>(() => Load("[dhcp]\nsubnet = \"198.51.100.0/24\"\nrange-start = \"198.51.100.1\"\n"));
        Assert.Contains(around.Errors, r => r.Message.Contains("holds the router's own address 198.51.100.1", StringComparison.Ordinal));
    }
}
