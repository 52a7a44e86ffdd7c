using Galaxy.Agent.Cli;

namespace Galaxy.Agent.Tests.Cli;

public sealed class GalaxyCliTests
{
    [Fact]
    public void Version_option_prints_one_line_with_the_version()
    {
        var (code, stdout, stderr) = Run("--version");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal($"{BuildInfo.Current.VersionLine}\n", stdout.ReplaceLineEndings("\n"));
        Assert.StartsWith("galaxy ", stdout, StringComparison.Ordinal);
        Assert.Empty(stderr);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var (code, stdout, _) = Run("--help");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("transparent proxy engine", stdout, StringComparison.Ordinal);
        Assert.Contains("version", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_command_dispatches_to_its_handler()
    {
        var (code, stdout, _) = Run("version");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains($"version:  {BuildInfo.Current.Version}", stdout, StringComparison.Ordinal);
        Assert.Contains("runtime:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_command_is_a_usage_error_on_stderr()
    {
        var (code, stdout, stderr) = Run("frobnicate");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(stdout);
        Assert.Contains("'frobnicate'", stderr, StringComparison.Ordinal);
        Assert.Contains("galaxy --help", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void No_command_is_a_usage_error()
    {
        var (code, stdout, stderr) = Run();
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(stdout);
        Assert.Contains("galaxy --help", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_option_of_a_command_is_a_usage_error()
    {
        var (code, _, stderr) = Run("version", "--frob");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--frob", stderr, StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = GalaxyCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
