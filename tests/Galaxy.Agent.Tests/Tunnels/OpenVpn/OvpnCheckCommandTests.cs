using Galaxy.Agent.Cli;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn;

public sealed class OvpnCheckCommandTests
{
    [Fact]
    public void A_good_profile_prints_ok_its_warnings_and_remotes_and_exits_zero()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "provider.ovpn");
        File.WriteAllText(path, OvpnSamples.Commercial);

        var (code, stdout, stderr) = Run("ovpn", "check", path);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Empty(stderr);
        var lines = stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal($"{path}: ok (0 errors, 3 warnings)", lines[0]);
        Assert.StartsWith($"{path}:24: warning: 'redirect-gateway def1': Galaxy owns routing", lines[1], StringComparison.Ordinal);
        Assert.Contains("remotes:", lines);
        Assert.Contains(lines, l => l.StartsWith("  nl1.vpn.example.net 1194 udp", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bad_profile_lists_every_error_and_exits_with_the_config_error_code()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "bad.ovpn");
        File.WriteAllText(path, OvpnSamples.Minimal + "up /bin/sh\n<connection>\nremote b 1\nplugin /x.so\n</connection>\n");

        var (code, stdout, _) = Run("ovpn", "check", path);
        Assert.Equal(ExitCodes.ConfigError, code);
        Assert.Equal(3, ExitCodes.ConfigError);
        var line = OvpnSamples.MinimalLineCount + 1;
        Assert.Contains($"{path}: not importable (2 errors, 1 warning)", stdout, StringComparison.Ordinal);
        Assert.Contains($"{path}:{line}: error: 'up /bin/sh': runs a program", stdout, StringComparison.Ordinal);
        Assert.Contains($"{path}:{line + 3}: error: 'plugin /x.so': loads code", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_carries_the_same_verdict()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "bad.ovpn");
        File.WriteAllText(path, OvpnSamples.Minimal + "daemon\n");

        var (code, stdout, _) = Run("ovpn", "check", path, "--json");
        Assert.Equal(ExitCodes.ConfigError, code);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.False(json.RootElement.GetProperty("importable").GetBoolean());
        var error = Assert.Single(json.RootElement.GetProperty("errors").EnumerateArray());
        Assert.Equal(OvpnSamples.MinimalLineCount + 1, error.GetProperty("line").GetInt32());
        Assert.Equal("vpn.example.net", json.RootElement.GetProperty("remotes")[0].GetProperty("host").GetString());
    }

    [Fact]
    public void An_unreadable_file_is_a_clear_failure_on_stderr()
    {
        var (code, stdout, stderr) = Run("ovpn", "check", "/nonexistent/galaxy.ovpn");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Empty(stdout);
        Assert.Contains("cannot read /nonexistent/galaxy.ovpn", stderr, StringComparison.Ordinal);

        using var temp = new TempFolder();
        (code, _, stderr) = Run("ovpn", "check", temp.Path);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("is a directory", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_argument_is_a_usage_error()
    {
        var (code, _, _) = Run("ovpn", "check");
        Assert.Equal(ExitCodes.Usage, code);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = GalaxyCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
