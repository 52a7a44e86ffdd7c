using System.Net;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Relay;

/// <summary>Log messages of the relay's setup (event ids 6000–6099).</summary>
internal static partial class RelayLog
{
    [LoggerMessage(EventId = 6000, Level = LogLevel.Warning,
        Message = "relay: no IPv6 listener on {EndPoint} ({Reason}); IPv6 from the LAN is dropped by the firewall")]
    public static partial void Ipv6Unavailable(ILogger logger, IPEndPoint endPoint, string reason);
}
