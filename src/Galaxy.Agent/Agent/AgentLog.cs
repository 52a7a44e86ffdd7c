using System.Net;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Agent;

internal static partial class AgentLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "agent starting: {Egresses} egress(es), LAN {Lan}, WAN {Wan}")]
    public static partial void Starting(ILogger logger, int egresses, System.Collections.Immutable.ImmutableArray<string> lan, string wan);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "egress {Egress} is UP (device {Device})")]
    public static partial void EgressUp(ILogger logger, string egress, string device);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "egress {Egress} is DOWN: {Reason}")]
    public static partial void EgressDown(ILogger logger, string egress, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "tunnel {Egress}: {State}{Reason}")]
    public static partial void TunnelState(ILogger logger, string egress, string state, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Critical, Message = "could not apply the firewall; applying the closed ruleset")]
    public static partial void FirewallFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Critical, Message = "could not apply even the closed ruleset; the kernel keeps the previous table")]
    public static partial void ClosedFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "relay listening on {EndPoint}")]
    public static partial void RelayListening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "agent stopping; the firewall stays closed")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "netlink events were lost; re-reading links")]
    public static partial void Resync(ILogger logger);

    [LoggerMessage(EventId = 10, Level = LogLevel.Error, Message = "routing for egress {Egress} could not be changed")]
    public static partial void RoutingFailed(ILogger logger, string egress, Exception exception);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "ready: firewall verified, {Egresses} egress(es) supervised")]
    public static partial void Ready(ILogger logger, int egresses);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "could not set {Setting}")]
    public static partial void SettingFailed(ILogger logger, string setting);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "egress {Egress}: remote {Host} not resolved through the bootstrap resolvers: {Detail}")]
    public static partial void RemoteUnresolved(ILogger logger, string egress, string host, string detail);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "LAN resolver listening on {EndPoint}")]
    public static partial void DnsListening(ILogger logger, IPEndPoint endPoint);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "the router's own resolver (127.0.0.1:53) is unavailable: {Reason}")]
    public static partial void LocalDnsUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "no IPv6 LAN resolver on {EndPoint} ({Reason}); DNS over IPv6 from the LAN is dropped by the firewall")]
    public static partial void Ipv6DnsUnavailable(ILogger logger, IPEndPoint endPoint, string reason);

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "routing: {Rules} rule(s), {Groups} group(s), unmatched flows go to '{Default}'")]
    public static partial void RoutingReady(ILogger logger, int rules, int groups, string @default);

    [LoggerMessage(EventId = 18, Level = LogLevel.Information, Message = "configuration reloaded: {Summary}")]
    public static partial void Reloaded(ILogger logger, string summary);

    [LoggerMessage(EventId = 19, Level = LogLevel.Error, Message = "reload of {Path} refused, the running configuration stays: {Reasons}")]
    public static partial void ReloadRefused(ILogger logger, string path, string reasons);

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "latency probe through {Egress} to {Probe}: {Milliseconds:0.0} ms (-1: failed)")]
    public static partial void LatencyProbed(ILogger logger, string egress, System.Net.IPEndPoint probe, double milliseconds);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "closed {Count} flow(s) of egress {Egress}")]
    public static partial void FlowsClosed(ILogger logger, int count, string egress);
}
