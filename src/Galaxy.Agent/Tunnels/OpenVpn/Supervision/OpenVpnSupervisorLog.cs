using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

internal static partial class OpenVpnSupervisorLog
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "openvpn {Device}: started (pid {ProcessId}): {CommandLine}")]
    public static partial void Started(ILogger logger, string device, int processId, string commandLine);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "openvpn {Device}: {State} ({Detail}) {Reason}")]
    public static partial void StateChanged(ILogger logger, string device, TunnelState state, string? detail, string? reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "openvpn {Device}: {Line}")]
    public static partial void Output(ILogger logger, string device, string line);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Debug, Message = "openvpn {Device}: management <- {Command}")]
    public static partial void Sent(ILogger logger, string device, string command);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Information, Message = "openvpn {Device}: exited with code {ExitCode}")]
    public static partial void Exited(ILogger logger, string device, int exitCode);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "openvpn {Device}: did not exit within {Seconds} s of SIGTERM; killing it")]
    public static partial void Killing(ILogger logger, string device, double seconds);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "openvpn {Device}: {Problem}")]
    public static partial void Problem(ILogger logger, string device, string problem);
}
