using Galaxy.Agent.Cli;
using Galaxy.Agent.Provisioning.OpenVpn;
using Galaxy.Agent.Tests.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Provisioning.OpenVpn;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class VpsServerBundleTests
{
    private static readonly string[] Names = ["ca.crt", "ca.key", "server.crt", "server.key", "tls-crypt.key", "server.conf", "install.sh", "home.ovpn"];

    [Fact]
    public void Writing_creates_a_private_folder_with_keys_readable_by_the_owner_only()
    {
        using var temp = new TempFolder();
        var folder = Path.Combine(temp.Path, "out");

        var written = VpsSamples.Bundle().WriteTo(folder, force: false);

        Assert.Equal(Names.Select(n => Path.Combine(folder, n)), written);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        foreach (var name in Names)
        {
            var expected = name switch
            {
                "ca.crt" or "server.crt" or "server.conf" => "644",
                "install.sh" => "755",
                _ => "600",
            };
            var mode = Convert.ToString((int)File.GetUnixFileMode(Path.Combine(folder, name)), 8);
            Assert.True(mode == expected, $"{name}: expected mode {expected}, saw {mode}");
        }

        Assert.Equal(Names.Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Existing_key_material_is_kept_unless_forced()
    {
        using var temp = new TempFolder();
        VpsSamples.Bundle().WriteTo(temp.Path, force: false);
        var key = File.ReadAllText(Path.Combine(temp.Path, "server.key"));

        var refused = Assert.Throws<VpsProvisioningException>(() => VpsSamples.Bundle().WriteTo(temp.Path, force: false));
        Assert.Contains("refusing to overwrite", refused.Message, StringComparison.Ordinal);
        Assert.Contains("server.key", refused.Message, StringComparison.Ordinal);
        Assert.Equal(key, File.ReadAllText(Path.Combine(temp.Path, "server.key")));

        VpsSamples.Bundle().WriteTo(temp.Path, force: true);
        Assert.NotEqual(key, File.ReadAllText(Path.Combine(temp.Path, "server.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(temp.Path, "server.key")));
        Assert.Equal(Names.Length, Directory.GetFileSystemEntries(temp.Path).Length);
    }

    [Fact]
    public void One_leftover_file_is_enough_to_refuse()
    {
        using var temp = new TempFolder();
        File.WriteAllText(Path.Combine(temp.Path, "home.ovpn"), "mine");
        var (code, stdout, stderr) = Run("vps", "openvpn", "--name", "home", "--endpoint", "203.0.113.1", "--out", temp.Path);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Empty(stdout);
        Assert.Contains("already holds home.ovpn: refusing to overwrite", stderr, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(temp.Path, "home.ovpn")));
        Assert.Single(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void The_command_lists_what_it_wrote()
    {
        using var temp = new TempFolder();
        var (code, stdout, stderr) = Run("vps", "openvpn", "--name", "home", "--endpoint", "vpn.example.net:443", "--proto", "tcp", "--out", temp.Path);
        Assert.True(code == ExitCodes.Ok, stderr);
        Assert.StartsWith("OpenVPN server \"home\" for vpn.example.net:443 (tcp), tunnel 10.8.0.0/24 (server 10.8.0.1):\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"  {Path.Combine(temp.Path, "server.key")}  (0600) server private key\n", stdout, StringComparison.Ordinal);
        Assert.Contains($"galaxy ovpn check {Path.Combine(temp.Path, "home.ovpn")}", stdout, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, OvpnCommand.Check(Path.Combine(temp.Path, "home.ovpn"), json: false, TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public void Every_bad_argument_is_reported_and_nothing_is_written()
    {
        using var temp = new TempFolder();
        var folder = Path.Combine(temp.Path, "out");
        var (code, stdout, stderr) = Run("vps", "openvpn", "--name", "../x", "--endpoint", "vpn.example.net:99999", "--subnet", "10.8.0.1/24", "--dns", "nope", "--out", folder);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(stdout);
        Assert.Contains("--name '../x'", stderr, StringComparison.Ordinal);
        Assert.Contains("--endpoint '99999' is not a port number", stderr, StringComparison.Ordinal);
        Assert.Contains("--subnet '10.8.0.1/24' has host bits set", stderr, StringComparison.Ordinal);
        Assert.Contains("--dns 'nope' is not an IP address", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder), "nothing should have been created");
    }

    [Fact]
    public void Missing_options_and_an_unknown_protocol_are_usage_errors()
    {
        Assert.Equal(ExitCodes.Usage, Run("vps", "openvpn", "--name", "home", "--out", "/nonexistent").Code);
        Assert.Equal(ExitCodes.Usage, Run("vps", "openvpn", "--name", "home", "--endpoint", "203.0.113.1", "--out", "/nonexistent", "--proto", "icmp").Code);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = GalaxyCli.Run(args, output, error);
        return (code, output.ToString().ReplaceLineEndings("\n"), error.ToString());
    }
}
