using Microsoft.Extensions.Logging;

namespace Galaxy.Agent;

/// <summary>Makes a logger per category; the agent's whole logging setup.</summary>
internal interface ILoggerFactoryLite
{
    ILogger Create(string category);
}

/// <summary>Loggers that write to stderr at or above one level.</summary>
internal sealed class StderrLoggerFactory(LogLevel minimum) : ILoggerFactoryLite
{
    public ILogger Create(string category) => new Logging.StderrLogger(category, minimum);
}
