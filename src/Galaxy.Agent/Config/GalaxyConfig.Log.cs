namespace Galaxy.Agent.Config;

internal sealed partial record GalaxyConfig
{
    /// <summary>The <c>[log]</c> table: how much the agent writes to stderr.</summary>
    public LogSettings Log { get; init; } = LogSettings.Default;
}
