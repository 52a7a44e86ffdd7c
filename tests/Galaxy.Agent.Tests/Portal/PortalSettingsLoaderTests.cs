using Galaxy.Agent.Config;
using Galaxy.Agent.Portal;

namespace Galaxy.Agent.Tests.Portal;

public sealed class PortalSettingsLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-portal-settings-").FullName;

    public PortalSettingsLoaderTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "base-files"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private PortalSettings Load(string text)
    {
        var path = Path.Combine(_folder, "portal.toml");
        File.WriteAllText(path, text);
        return PortalSettingsLoader.LoadFile(path);
    }

    [Fact]
    public void Every_error_is_reported_at_once_each_with_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => Load("""
            [portal]
            base-files = "missing"
            colour = "blue"

            [routers]
            count = 2
            lan-pool = "198.51.100.0/24"
            egress = ["nowhere"]

            [[router]]
            name = "galaxy7"

            [[credentials]]
            name = "vpn"
            type = "wireguard"

            [fleet]
            """));

        var lines = e.Errors.Select(r => (r.Line, r.Message)).ToList();
        Assert.Contains(lines, l => l.Line == 1 && l.Message.Contains("[portal] needs 'template'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 2 && l.Message.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 3 && l.Message.Contains("unknown key 'colour' in [portal]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 8 && l.Message.Contains("'nowhere' in 'egress' names no [[credentials]] entry", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 11 && l.Message.Contains("there is no router 'galaxy7'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 15 && l.Message.Contains("unknown credentials type 'wireguard'", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Line == 17 && l.Message.Contains("unknown table 'fleet'", StringComparison.Ordinal));
        Assert.All(e.Errors, r => Assert.EndsWith("portal.toml", r.File, StringComparison.Ordinal));
    }

    [Fact]
    public void A_pool_too_small_for_the_count_names_the_router_that_does_not_fit()
    {
        var e = Assert.Throws<ConfigException>(() => Load("""
            [portal]
            template = "t.qcow2"
            [routers]
            count = 3
            lan-pool = "198.51.100.0/24"
            lan-prefix = 25
            """));

        Assert.Contains(e.Errors, r => r.Line == 5 && r.Message.Contains("no /25 left for 'galaxy2'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_list_of_routers_without_a_count_is_the_fleet_and_paths_are_relative_to_the_file()
    {
        var settings = Load("""
            [portal]
            template = "images/alpine-galaxy.qcow2"
            [routers]
            lan-pool = "198.51.100.0/24"
            [[router]]
            name = "edge"
            [[router]]
            name = "lab"
            lan-subnet = "203.0.113.0/24"
            memory = 1024
            """);

        Assert.Equal(Path.Combine(_folder, "images", "alpine-galaxy.qcow2"), settings.TemplatePath);
        Assert.Equal(["edge", "lab"], settings.Routers.Select(r => r.Name));
        Assert.Equal(["198.51.100.0/24", "203.0.113.0/24"], settings.Routers.Select(r => r.LanSubnet.ToString()));
        Assert.Equal(1024, settings.Routers[1].MemoryMiB);
        Assert.Equal("gxlan1", settings.Routers[1].LanBridge);
    }
}
