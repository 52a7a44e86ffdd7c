using System.Text;
using Galaxy.Agent.Config;
using Galaxy.Agent.Portal;

namespace Galaxy.Agent.Tests.Portal;

public sealed class PortalRenderGoldenTests : IDisposable
{
    private readonly PortalFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void Rendering_the_fixture_settings_gives_exactly_the_golden_files()
    {
        var tree = InstanceRenderer.Render(_fixture.Load());
        var golden = PortalFixture.GoldenDirectory;
        if (PortalFixture.UpdateGolden)
        {
            if (Directory.Exists(golden))
            {
                Directory.Delete(golden, recursive: true);
            }

            tree.WriteTo(golden);
        }

        var expected = Directory.EnumerateFiles(golden, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(golden, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        var seen = tree.Files.Select(f => f.Path).ToList();
        Assert.True(expected.SequenceEqual(seen), $"expected the files\n  {string.Join("\n  ", expected)}\nsaw\n  {string.Join("\n  ", seen)}");
        foreach (var file in tree.Files)
        {
            var want = File.ReadAllText(Path.Combine(golden, file.Path));
            var got = Encoding.UTF8.GetString(file.Content.AsSpan());
            Assert.True(want == got, $"{file.Path}: expected (golden)\n{want}\nsaw\n{got}");
            var goldenExecutable = (File.GetUnixFileMode(Path.Combine(golden, file.Path)) & UnixFileMode.UserExecute) != 0;
            Assert.True(goldenExecutable == file.Executable, $"{file.Path}: expected executable={goldenExecutable}, saw {file.Executable}");
        }
    }

    [Fact]
    public void Each_router_gets_its_own_subnet_egresses_and_size()
    {
        var settings = _fixture.Load();
        Assert.Equal(["galaxy0", "galaxy1", "galaxy2"], settings.Routers.Select(r => r.Name));
        Assert.Equal(["198.51.100.0/26", "198.51.100.64/26", "198.51.100.128/26"], settings.Routers.Select(r => r.LanSubnet.ToString()));
        Assert.Equal(["nyc"], settings.Routers[0].Egresses);
        Assert.Equal(["ams", "nyc"], settings.Routers[1].Egresses);
        Assert.Equal((2, 512), (settings.Routers[1].Cpus, settings.Routers[1].MemoryMiB));
        Assert.Equal((1, 256), (settings.Routers[2].Cpus, settings.Routers[2].MemoryMiB));
    }

    [Fact]
    public void A_rendered_galaxy_toml_is_accepted_by_the_agent_with_its_subnet_and_credentials()
    {
        var outcome = _fixture.Render();
        Assert.Equal(MergeOutcome.FastForward, outcome.Merge);
        var config = ConfigLoader.LoadFile(Path.Combine(_fixture.Output, "galaxy1", InstanceRenderer.IdentityFolder, "galaxy.toml"));
        Assert.Equal(["ams:socks5", "nyc:openvpn"], config.Egresses.Select(e => $"{e.Name}:{e.Kind}"));
        Assert.True(config.Dhcp.Enabled, "expected [dhcp] enabled in the rendered configuration");
        Assert.Equal("198.51.100.64/26", config.Dhcp.Subnet?.ToString());
        Assert.Equal("198.51.100.65", config.Dhcp.Address?.ToString());
        Assert.Equal("eth1", config.Dhcp.Interface);
        var vpn = Assert.IsType<OpenVpnEgressConfig>(config.Egresses[1]);
        Assert.EndsWith("galaxy1/base-files/etc/galaxy/nyc.auth", vpn.CredentialsFile, StringComparison.Ordinal);
    }

    [Fact]
    public void The_example_configuration_of_the_base_files_is_replaced_and_their_other_files_copied_not_linked()
    {
        _fixture.Render();
        var motd = Path.Combine(_fixture.Output, "galaxy0", "base-files", "etc", "motd");
        Assert.False(new FileInfo(motd).LinkTarget is not null, $"expected {motd} to be a copy, saw a link");
        Assert.Equal("Galaxy router (fixture base files)\n", File.ReadAllText(motd));
        var service = Path.Combine(_fixture.Output, "galaxy0", "base-files", "etc", "init.d", "galaxy");
        Assert.True((File.GetUnixFileMode(service) & UnixFileMode.UserExecute) != 0, $"expected {service} to stay executable");
        var toml = File.ReadAllText(Path.Combine(_fixture.Output, "galaxy0", "base-files", "etc", "galaxy", "galaxy.toml"));
        Assert.DoesNotContain("example configuration", toml, StringComparison.Ordinal);
    }
}
