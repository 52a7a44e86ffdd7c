using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Config;

/// <summary>
/// The <c>[log]</c> table. The agent logs to stderr, one line per event (the service manager collects it);
/// <paramref name="Level"/> is the least severe level written. <c>galaxy agent --log-level</c> overrides it.
/// </summary>
internal sealed record LogSettings(LogLevel Level)
{
    public static LogSettings Default { get; } = new(LogLevel.Information);
}
