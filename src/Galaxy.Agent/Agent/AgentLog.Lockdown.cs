using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Agent;

internal static partial class AgentLog
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "lockdown ON: no LAN flow leaves; the tunnels may stay connected")]
    public static partial void LockdownOn(ILogger logger);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "lockdown OFF: egresses come back as they are ready")]
    public static partial void LockdownOff(ILogger logger);
}
