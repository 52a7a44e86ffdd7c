using Microsoft.Extensions.Logging;

namespace Galaxy.Netlink.Core;

/// <summary>
/// The library's log events. Every kernel change is logged at Debug as the <c>ip</c>/<c>nft</c>
/// command that would do the same, so an operator can reproduce it by hand.
/// </summary>
internal static partial class NetlinkLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "kernel change: {Command}")]
    public static partial void KernelChange(ILogger logger, string command);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "kernel change refused: {Command}: {Reason}")]
    public static partial void KernelChangeRefused(ILogger logger, string command, string reason);
}
