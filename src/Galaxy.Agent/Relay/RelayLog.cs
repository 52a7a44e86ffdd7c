using System.Net;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Relay;

/// <summary>Log messages of the relay's setup (event ids 6000–6099).</summary>
internal static partial class RelayLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning,
        Message = "relay: no IPv6 listener on {EndPoint} ({Reason}); IPv6 from the LAN is dropped by the firewall")]
    public static partial void Ipv6Unavailable(ILogger logger, IPEndPoint endPoint, string reason);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Debug,
        Message = "relay: {Source} -> {Destination} through {Egress}: {Outcome}: {Reason}; the client is reset")]
    public static partial void DialFailed(ILogger logger, IPEndPoint source, IPEndPoint destination, string egress, Egress.DialOutcome outcome, string? reason);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning,
        Message = "relay: a new flow from {Source} failed before it was relayed; the client is reset")]
    public static partial void AcceptFailed(ILogger logger, IPEndPoint source, Exception exception);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning,
        Message = "relay: {Count} flow(s) through {Egress} could not be dialed since {Since:u}, the last: {Error}; their clients were refused (at most one such line a minute per egress; galaxy egresses shows the count)")]
    public static partial void EgressDialsFailing(ILogger logger, string egress, long count, DateTimeOffset since, string error);
}
