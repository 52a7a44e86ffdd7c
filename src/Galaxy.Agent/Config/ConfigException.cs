using System.Collections.Immutable;

namespace Galaxy.Agent.Config;

/// <summary>A configuration was refused; <see cref="Errors"/> holds every reason, each with its line.</summary>
internal sealed class ConfigException : Exception
{
    public ConfigException(ImmutableArray<ConfigError> errors)
        : base(errors.Length == 1 ? errors[0].ToString() : $"{errors.Length} errors:\n" + string.Join('\n', errors))
    {
        Errors = errors;
    }

    public ConfigException()
        : this([])
    {
    }

    public ConfigException(string message)
        : base(message)
    {
        Errors = [new ConfigError("", 0, message)];
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ConfigError("", 0, message)];
    }

    public ImmutableArray<ConfigError> Errors { get; }
}
