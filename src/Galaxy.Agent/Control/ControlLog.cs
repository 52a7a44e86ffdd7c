using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Control;

/// <summary>Log lines of the control socket.</summary>
internal static partial class ControlLog
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "control socket listening on {Path} (root and group {Group} may act)")]
    public static partial void Listening(ILogger logger, string path, string group);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "control socket: refused uid {Uid} gid {Gid} pid {Pid}")]
    public static partial void Refused(ILogger logger, uint uid, uint gid, int pid);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "control socket: {Method} {Path} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Information, Message = "control socket: removed the stale socket {Path}")]
    public static partial void RemovedStale(ILogger logger, string path);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Debug, Message = "control socket: {Status} to uid {Uid}: {Reason}")]
    public static partial void Rejected(ILogger logger, int status, uint uid, string reason);
}
