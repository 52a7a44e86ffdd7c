using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Firewall;

internal static partial class FirewallLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "the firewall read back differs from what was committed: {Difference}")]
    public static partial void VerificationFailed(ILogger logger, string difference);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "firewall applied and verified: {RuleCount} rules")]
    public static partial void Applied(ILogger logger, int ruleCount);

    [LoggerMessage(EventId = 102, Level = LogLevel.Critical, Message = "the kernel refused the ruleset; the previous one stays: {Reason}")]
    public static partial void Refused(ILogger logger, string reason);
}
