using Galaxy.Agent.Config;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Tests.Config;

public sealed class ConfigLoaderLogTests
{
    private const string Router = """
        [router]
        lan = ["lan0"]
        wan = "wan0"

        """;

    [Fact]
    public void Without_a_log_table_the_level_is_info()
    {
        var config = ConfigLoader.Load(Router, "/etc/galaxy/galaxy.toml");
        Assert.Equal(LogLevel.Information, config.Log.Level);
    }

    [Theory]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("warning", LogLevel.Warning)]
    [InlineData("Error", LogLevel.Error)]
    public void The_log_level_is_read_from_the_log_table(string text, LogLevel expected)
    {
        var config = ConfigLoader.Load(Router + $"[log]\nlevel = \"{text}\"\n", "/etc/galaxy/galaxy.toml");
        Assert.Equal(expected, config.Log.Level);
    }

    [Fact]
    public void An_unknown_level_or_key_is_refused_with_its_line()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Router + "[log]\nlevel = \"loud\"\nformat = \"json\"\n", "/etc/galaxy/galaxy.toml"));
        var reasons = string.Join("\n", e.Errors.Select(r => r.ToString()));
        Assert.True(e.Errors.Any(r => r.Line == 5 && r.Message.Contains("'loud'", StringComparison.Ordinal)), $"expected the bad level on line 5; saw\n{reasons}");
        Assert.True(e.Errors.Any(r => r.Line == 6 && r.Message.Contains("format", StringComparison.Ordinal)), $"expected the unknown key on line 6; saw\n{reasons}");
    }

    [Theory]
    [InlineData("Debug", true, LogLevel.Debug)]
    [InlineData("WARN", true, LogLevel.Warning)]
    [InlineData("Information", true, LogLevel.Information)]
    [InlineData("2", false, LogLevel.None)]
    [InlineData("", false, LogLevel.None)]
    [InlineData(null, false, LogLevel.None)]
    public void Level_names_parse_in_any_case_and_numbers_do_not(string? text, bool ok, LogLevel expected)
    {
        Assert.Equal(ok, ConfigLoader.TryParseLogLevel(text, out var level));
        Assert.Equal(expected, level);
    }

    [Fact]
    public void The_command_line_refuses_an_unknown_log_level_as_a_usage_error()
    {
        var error = new StringWriter();
        var code = Galaxy.Agent.Cli.GalaxyCli.Run(["agent", "--config", "/nonexistent.toml", "--log-level", "loud"], new StringWriter(), error);
        Assert.True(code == Galaxy.Agent.Cli.ExitCodes.Usage, $"expected exit 2, saw {code}: {error}");
        Assert.Contains("--log-level 'loud'", error.ToString(), StringComparison.Ordinal);
    }
}
