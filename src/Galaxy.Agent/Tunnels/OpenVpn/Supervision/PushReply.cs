using System.Collections.Immutable;
using System.Net;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>What Galaxy takes from a server's PUSH_REPLY: the tunnel's addresses and the DNS servers.</summary>
/// <param name="DnsServers">From <c>dhcp-option DNS</c>, <c>dhcp-option DNS6</c> and <c>dns server N address …</c>, in order, without repeats.</param>
/// <param name="LocalIPv4">From <c>ifconfig LOCAL NETMASK|REMOTE</c>.</param>
/// <param name="LocalIPv6">From <c>ifconfig-ipv6 LOCAL/BITS REMOTE</c>.</param>
/// <param name="HasContinuation">The reply ends with <c>push-continuation 2</c>: more PUSH_REPLY messages follow.</param>
internal sealed record PushReply(ImmutableArray<IPAddress> DnsServers, IPAddress? LocalIPv4, IPAddress? LocalIPv6, bool HasContinuation)
{
    /// <summary>
    /// How OpenVPN (verb 3 and up) logs a received control message; over the management interface this
    /// arrives as a <c>&gt;LOG:</c> line, in order with the <c>&gt;STATE:</c> lines. OpenVPN 2.6 shows
    /// pushed options nowhere else without a script, and Galaxy runs no script.
    /// </summary>
    public const string LogPrefix = "PUSH: Received control message: '";

    /// <summary>
    /// Reads a log line; null unless it is a received PUSH_REPLY. The text comes from the server, so
    /// nothing here is trusted beyond what a server may choose anyway (its DNS servers and our address
    /// on its tunnel); routes and the rest are dropped by OpenVPN's pull-filters and ignored here.
    /// </summary>
    public static PushReply? TryParseLog(string logText)
    {
        ArgumentNullException.ThrowIfNull(logText);
        if (!logText.StartsWith(LogPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var message = logText[LogPrefix.Length..];
        if (message.EndsWith('\''))
        {
            message = message[..^1];
        }

        return message.StartsWith("PUSH_REPLY", StringComparison.Ordinal) ? Parse(message) : null;
    }

    /// <summary>Parses <c>PUSH_REPLY,option,option,…</c>.</summary>
    public static PushReply Parse(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var dns = new List<IPAddress>();
        IPAddress? v4 = null;
        IPAddress? v6 = null;
        var continuation = false;
        foreach (var option in message.Split(',').Skip(1))
        {
            var words = option.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (words)
            {
                case ["dhcp-option", "DNS" or "DNS6", var server, ..]:
                    Add(dns, server);
                    break;
                case ["dns", "server", _, "address", .. var servers]:
                    foreach (var server in servers)
                    {
                        Add(dns, StripPort(server));
                    }

                    break;
                case ["ifconfig", var local, ..]:
                    v4 = IPAddress.TryParse(local, out var address4) && address4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? address4 : v4;
                    break;
                case ["ifconfig-ipv6", var local, ..]:
                    var slash = local.IndexOf('/', StringComparison.Ordinal);
                    v6 = IPAddress.TryParse(slash < 0 ? local : local[..slash], out var address6) && address6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? address6 : v6;
                    break;
                case ["push-continuation", "2"]:
                    continuation = true;
                    break;
            }
        }

        return new PushReply([.. dns], v4, v6, continuation);
    }

    /// <summary>Merges a continuation message into the reply so far.</summary>
    public PushReply Merge(PushReply next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var dns = DnsServers.ToList();
        foreach (var server in next.DnsServers)
        {
            if (!dns.Contains(server))
            {
                dns.Add(server);
            }
        }

        return new PushReply([.. dns], next.LocalIPv4 ?? LocalIPv4, next.LocalIPv6 ?? LocalIPv6, next.HasContinuation);
    }

    // "10.8.0.1", "10.8.0.1:53", "[fd00::1]:53", "fd00::1"
    private static string StripPort(string server)
    {
        if (server.StartsWith('[') && server.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
        {
            return server[1..close];
        }

        return server.Count(c => c == ':') == 1 ? server[..server.IndexOf(':', StringComparison.Ordinal)] : server;
    }

    private static void Add(List<IPAddress> servers, string text)
    {
        if (IPAddress.TryParse(text, out var address) && !servers.Contains(address))
        {
            servers.Add(address);
        }
    }
}
