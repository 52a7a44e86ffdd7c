using System.Text.Json;
using Galaxy.Agent.Cli;
using Galaxy.Agent.Portal;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Portal;

/// <summary>
/// The portal against the real host tools: the repository's own alpine/base-files rendered for two routers, the XML
/// checked by libvirt's validator, overlays made by qemu-img and inspected by it, the config drive read back by xorriso.
/// </summary>
public sealed class PortalHostTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("galaxy-portal-host-").FullName;

    public PortalHostTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "secrets"));
        File.WriteAllText(Path.Combine(_root, "secrets", "vpn.ovpn"), """
            client
            dev tun
            proto udp
            remote 203.0.113.1 1194
            nobind
            remote-cert-tls server
            auth-user-pass
            <ca>
            -----BEGIN CERTIFICATE-----
            MIIBszCCAVmgAwIBAgIUQ2FsbGVkIGEgdGVzdCBjZXJ0aWZpY2F0ZQ==
            -----END CERTIFICATE-----
            </ca>

            """);
        File.WriteAllText(Path.Combine(_root, "secrets", "vpn.auth"), "user\npassword\n");
        File.WriteAllText(SettingsFile, $"""
            [portal]
            template = "template.qcow2"
            base-files = "{Path.Combine(Artifacts.RepositoryRoot, "alpine", "base-files")}"
            state-dir = "state"
            bootstrap-dns = ["192.0.2.53"]

            [routers]
            count = 2
            lan-pool = "198.51.100.0/24"
            lan-prefix = 25
            egress = ["vpn", "proxy"]

            [[credentials]]
            name = "vpn"
            type = "openvpn"
            profile = "secrets/vpn.ovpn"
            auth = "secrets/vpn.auth"

            [[credentials]]
            name = "proxy"
            type = "socks5"
            address = "socks5://203.0.113.20:1080"

            """);
    }

    private string SettingsFile => Path.Combine(_root, "portal.toml");

    private string PortalDirectory => Path.Combine(_root, "portal");

    private string Template => Path.Combine(_root, "template.qcow2");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_rendered_domain_and_lan_network_validate_with_libvirts_own_validator()
    {
        HostTools.Require(("virt-xml-validate", "libvirt-clients"), ("xmllint", "libxml2-utils"), ("git", "git"));
        Cli("portal", "render", SettingsFile, "--out", PortalDirectory);

        foreach (var name in new[] { "galaxy0", "galaxy1" })
        {
            foreach (var (file, schema) in new[] { ("domain.xml", "domain"), ("lan-network.xml", "network") })
            {
                var path = Path.Combine(PortalDirectory, name, file);
                var result = await HostTools.RunAsync("virt-xml-validate", path, schema);
                Assert.True(result.Succeeded, $"expected {name}/{file} to validate against libvirt's {schema} schema, saw {result.Describe()}");
            }
        }
    }

    [Fact]
    public async Task Every_up_makes_a_new_overlay_backed_by_the_template_and_down_deletes_it()
    {
        HostTools.Require(("qemu-img", "qemu-utils"), ("qemu-io", "qemu-utils"), ("xorriso", "xorriso"), ("git", "git"));
        await Checked("qemu-img", "create", "-q", "-f", "qcow2", Template, "4M");
        Cli("portal", "render", SettingsFile, "--out", PortalDirectory);
        var overlay = Path.Combine(_root, "state", "galaxy1", "overlay.qcow2");

        var first = Cli("portal", "up", "galaxy1", "--dir", PortalDirectory, "--no-start");
        Assert.Contains("not started (--no-start", first, StringComparison.Ordinal);
        using (var info = JsonDocument.Parse((await Checked("qemu-img", "info", "--output=json", overlay)).StandardOutput))
        {
            var json = info.RootElement;
            Assert.Equal("qcow2", json.GetProperty("format").GetString());
            Assert.Equal(Template, json.GetProperty("backing-filename").GetString());
            Assert.Equal("qcow2", json.GetProperty("backing-filename-format").GetString());
        }

        // What the VM writes lands in the overlay …
        await Checked("qemu-io", "-c", "write -P 0xab 0 64k", overlay);
        var differs = await HostTools.RunAsync("qemu-img", "compare", overlay, Template);
        Assert.True(differs.ExitCode == 1, $"expected the written overlay to differ from the template (exit 1), saw {differs.Describe()}");

        // … and the next up starts from the template again.
        Cli("portal", "up", "galaxy1", "--dir", PortalDirectory, "--no-start");
        var same = await HostTools.RunAsync("qemu-img", "compare", overlay, Template);
        Assert.True(same.Succeeded, $"expected a fresh overlay identical to the template after up, saw {same.Describe()}");

        var down = Cli("portal", "down", "galaxy1", "--dir", PortalDirectory);
        Assert.Contains("deleted", down, StringComparison.Ordinal);
        Assert.False(File.Exists(overlay), $"expected down to delete {overlay}");
    }

    [Fact]
    public async Task The_config_drive_holds_the_instances_galaxy_toml_and_credentials_under_its_label()
    {
        HostTools.Require(("qemu-img", "qemu-utils"), ("xorriso", "xorriso"), ("git", "git"));
        await Checked("qemu-img", "create", "-q", "-f", "qcow2", Template, "4M");
        Cli("portal", "render", SettingsFile, "--out", PortalDirectory);
        Cli("portal", "up", "galaxy0", "--dir", PortalDirectory, "--no-start");
        var iso = Path.Combine(_root, "state", "galaxy0", "config.iso");

        var pvd = await Checked("xorriso", "-indev", iso, "-pvd_info");
        Assert.Contains($"Volume Id    : {InstanceRenderer.ConfigDriveLabel}", pvd.StandardOutput + pvd.StandardError, StringComparison.Ordinal);

        var extracted = Path.Combine(_root, "extracted");
        await Checked("xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/", extracted);
        var files = Directory.EnumerateFiles(extracted).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["galaxy.toml", "vpn.auth", "vpn.ovpn"], files);
        var toml = File.ReadAllText(Path.Combine(extracted, "galaxy.toml"));
        Assert.Contains("subnet = \"198.51.100.0/25\"", toml, StringComparison.Ordinal);
        Assert.Contains("name = \"proxy\"", toml, StringComparison.Ordinal);
        Assert.Equal("user\npassword\n", File.ReadAllText(Path.Combine(extracted, "vpn.auth")));
        var rendered = File.ReadAllText(Path.Combine(PortalDirectory, "galaxy0", InstanceRenderer.IdentityFolder, "galaxy.toml"));
        Assert.Equal(rendered, toml);
    }

    [Fact]
    public async Task Render_with_drives_burns_every_routers_config_drive_with_its_own_subnet()
    {
        HostTools.Require(("xorriso", "xorriso"), ("git", "git"));
        var output = Cli("portal", "render", SettingsFile, "--out", PortalDirectory, "--drives");

        foreach (var (name, subnet) in new[] { ("galaxy0", "198.51.100.0/25"), ("galaxy1", "198.51.100.128/25") })
        {
            var iso = Path.Combine(_root, "state", name, "config.iso");
            Assert.Contains($"config drive: {iso}", output, StringComparison.Ordinal);
            var extracted = Path.Combine(_root, "extracted-" + name);
            await Checked("xorriso", "-osirrox", "on", "-indev", iso, "-extract", "/galaxy.toml", Path.Combine(extracted, "galaxy.toml"));
            Assert.Contains($"subnet = \"{subnet}\"", File.ReadAllText(Path.Combine(extracted, "galaxy.toml")), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Up_without_a_rendered_folder_names_what_to_do()
    {
        var (code, _, error) = Run("portal", "up", "galaxy9", "--dir", PortalDirectory, "--no-start");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("render the portal first", error, StringComparison.Ordinal);
    }

    private static string Cli(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.True(code == ExitCodes.Ok, $"expected `galaxy {string.Join(' ', args)}` to succeed, saw exit {code}\n{output}{error}");
        return output;
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = GalaxyCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<Labs.CommandResult> Checked(params string[] command)
    {
        var result = await HostTools.RunAsync(command);
        Assert.True(result.Succeeded, $"expected success, saw {result.Describe()}");
        return result;
    }
}
