using System.Globalization;
using System.Net;

namespace Galaxy.Agent.Control;

/// <summary>
/// The flow <c>GET /v1/explain</c> asks about, from the query string:
/// <c>dst=IP[:PORT]</c> (or <c>[IPv6]:PORT</c>; required; port default 443 for tcp, 53 for udp), <c>src=IP</c>
/// (default: the first LAN address seen — 0.0.0.0 / ::), <c>proto=tcp|udp</c> (default tcp), <c>domain=NAME</c>.
/// </summary>
internal sealed record ExplainQuery(IPAddress Source, IPAddress Destination, int Port, bool Udp, string? Domain)
{
    /// <summary>Parses the query string; null with <paramref name="error"/> when a value is missing or malformed.</summary>
    public static ExplainQuery? Parse(string query, out string? error)
    {
        string? dst = null, src = null, proto = null, domain = null;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
            switch (key)
            {
                case "dst": dst = value; break;
                case "src": src = value; break;
                case "proto": proto = value; break;
                case "domain": domain = value.Length == 0 ? null : value; break;
                default:
                    error = $"unknown parameter '{key}' (known: dst, src, proto, domain)";
                    return null;
            }
        }

        var udp = proto switch
        {
            null or "tcp" => false,
            "udp" => true,
            _ => (bool?)null,
        };
        if (udp is null)
        {
            error = $"proto must be tcp or udp, not '{proto}'";
            return null;
        }

        if (dst is null || !TryEndpoint(dst, udp.Value ? 53 : 443, out var destination, out var port))
        {
            error = dst is null ? "dst is required: dst=IP[:PORT]" : $"dst '{dst}' is not IP[:PORT] (IPv6 with a port as [IP]:PORT)";
            return null;
        }

        IPAddress? source;
        if (src is null)
        {
            source = destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        }
        else if (!IPAddress.TryParse(src, out source))
        {
            error = $"src '{src}' is not an IP address";
            return null;
        }

        error = null;
        return new ExplainQuery(source, destination, port, udp.Value, domain);
    }

    private static bool TryEndpoint(string text, int defaultPort, out IPAddress address, out int port)
    {
        port = defaultPort;
        if (IPAddress.TryParse(text, out address!) && !text.StartsWith('['))
        {
            return true;
        }

        if (IPEndPoint.TryParse(text, out var endPoint) && endPoint.Port is > 0 and <= 65535 && text.Contains(':', StringComparison.Ordinal))
        {
            address = endPoint.Address;
            port = endPoint.Port;
            return true;
        }

        address = IPAddress.None;
        return false;
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{(Udp ? "udp" : "tcp")} {Source} -> {Destination}:{Port}{(Domain is null ? "" : $" ({Domain})")}");
}
