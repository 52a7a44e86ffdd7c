using System.Net;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Dns;

/// <summary>The DNS forwarder's log events (ids 3000–3099).</summary>
internal static partial class DnsLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "DNS server listening on {Udp} (udp) and {Tcp} (tcp)")]
    public static partial void Listening(ILogger logger, EndPoint? udp, EndPoint? tcp);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "DNS upstream {Server} via {Egress}: {Reason}")]
    public static partial void UpstreamFailed(ILogger logger, IPEndPoint server, string egress, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "DNS query for {Name} answered SERVFAIL: no egress is up")]
    public static partial void NoEgress(ILogger logger, string name);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "DNS query for {Name} answered SERVFAIL: no upstream resolver answered through {Egress}")]
    public static partial void NoUpstreamAnswered(ILogger logger, string name, string egress);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "DNS server: {What} failed")]
    public static partial void ServerError(ILogger logger, string what, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "DNS query from {Client} dropped: {Reason}")]
    public static partial void Dropped(ILogger logger, EndPoint? client, string reason);
}
