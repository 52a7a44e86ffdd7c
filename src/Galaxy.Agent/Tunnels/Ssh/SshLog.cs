using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Tunnels.Ssh;

internal static partial class SshLog
{
    [LoggerMessage(EventId = 5300, Level = LogLevel.Information, Message = "ssh {Connection}: started (pid {ProcessId}): {CommandLine}")]
    public static partial void Started(ILogger logger, string connection, int processId, string commandLine);

    [LoggerMessage(EventId = 5301, Level = LogLevel.Information, Message = "ssh {Connection}: {State}{Reason}")]
    public static partial void StateChanged(ILogger logger, string connection, string state, string reason);

    [LoggerMessage(EventId = 5302, Level = LogLevel.Debug, Message = "ssh {Connection}: {Line}")]
    public static partial void Output(ILogger logger, string connection, string line);

    [LoggerMessage(EventId = 5303, Level = LogLevel.Information, Message = "ssh {Connection}: exited with code {ExitCode}; next attempt in {Seconds:0.#} s")]
    public static partial void Exited(ILogger logger, string connection, int exitCode, double seconds);

    [LoggerMessage(EventId = 5304, Level = LogLevel.Warning, Message = "ssh {Connection}: {Problem}")]
    public static partial void Problem(ILogger logger, string connection, string problem);
}
