using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Tunnels.OpenVpn;

/// <summary><c>galaxy ovpn check</c> as shipped: the NativeAOT binary, its exit codes and its output lines.</summary>
public sealed class OvpnCheckBinaryTests : IDisposable
{
    private const string Ca = "<ca>\n-----BEGIN CERTIFICATE-----\nMIIBdGVzdCBvbmx5LCBub3QgYSByZWFsIGNlcnRpZmljYXRl\n-----END CERTIFICATE-----\n</ca>\n";

    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-ovpn-bin-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_good_profile_exits_zero_with_its_warnings_and_remotes()
    {
        var path = Write("good.ovpn", "client\r\ndev tun\r\nremote vpn.example.net 1194 udp\r\nauth-user-pass\r\nredirect-gateway def1\r\n" + Ca.Replace("\n", "\r\n", StringComparison.Ordinal));

        var result = await LabCommand.RunAsync([Artifacts.GalaxyBinary, "ovpn", "check", path], cancellationToken: Token);

        Assert.True(result.ExitCode == 0, result.Describe());
        var lines = result.StandardOutput.Split('\n');
        Assert.Equal($"{path}: ok (0 errors, 1 warning)", lines[0]);
        Assert.Equal($"{path}:5: warning: 'redirect-gateway def1': Galaxy owns routing; ignored (pushed routes are filtered too)", lines[1]);
        Assert.Equal("remotes:", lines[2]);
        Assert.Equal($"  vpn.example.net 1194 udp  [{path}:3]", lines[3]);
        Assert.Empty(result.StandardError);
    }

    [Fact]
    public async Task A_bad_profile_exits_three_with_one_line_per_error()
    {
        var path = Write("bad.ovpn", "client\nremote vpn.example.net 1194\n" + Ca + "\"up\" /bin/sh\n<connection>\nremote b.example.net 443 tcp\nsetenv opt plugin /tmp/evil.so\n</connection>\nmanagement 127.0.0.1 7505\n");

        var result = await LabCommand.RunAsync([Artifacts.GalaxyBinary, "ovpn", "check", path], cancellationToken: Token);

        Assert.True(result.ExitCode == 3, result.Describe());
        Assert.Contains($"{path}: not importable (3 errors, 1 warning)\n", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{path}:8: error: 'up /bin/sh': runs a program (script hook)", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{path}:11: error: 'plugin /tmp/evil.so': loads code into OpenVPN", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"{path}:13: error: 'management 127.0.0.1': the management interface is Galaxy's", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreadable_profile_exits_one_with_a_message_on_stderr()
    {
        var missing = Path.Combine(_folder, "missing.ovpn");
        var result = await LabCommand.RunAsync([Artifacts.GalaxyBinary, "ovpn", "check", missing], cancellationToken: Token);

        Assert.True(result.ExitCode == 1, result.Describe());
        Assert.Empty(result.StandardOutput);
        Assert.Equal($"galaxy: cannot read {missing}: no such file", result.StandardError.Trim());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
