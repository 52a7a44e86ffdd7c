using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Config;

/// <summary>The <c>[log]</c> table: <c>level = "trace" | "debug" | "info" | "warning" | "error"</c>.</summary>
internal static partial class ConfigLoader
{
    /// <summary>The level names the configuration and <c>--log-level</c> accept (besides .NET's own names).</summary>
    public const string LogLevelNames = "trace, debug, info, warning, error";

    private static LogSettings ReadLog(TomlSection section)
    {
        var text = section.String("level", "info")!;
        if (!TryParseLogLevel(text, out var level))
        {
            section.Error(section.LineOfKey("level"), $"[log] level '{text}' is not one of {LogLevelNames}");
        }

        section.ReportUnknownKeys();
        return new LogSettings(level);
    }

    /// <summary>
    /// "trace", "debug", "info", "warning" (or "warn"), "error" — any case — and .NET's names ("Information",
    /// "Critical"); false for anything else, including numbers.
    /// </summary>
    public static bool TryParseLogLevel(string? text, out LogLevel level)
    {
        level = (text ?? "").Trim().ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "info" or "information" => LogLevel.Information,
            "warn" or "warning" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            _ => LogLevel.None,
        };
        return level != LogLevel.None;
    }
}
