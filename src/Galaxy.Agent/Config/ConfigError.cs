namespace Galaxy.Agent.Config;

/// <summary>One reason a configuration was refused: where (file and 1-based line; 0 = the whole file) and why.</summary>
internal sealed record ConfigError(string File, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
