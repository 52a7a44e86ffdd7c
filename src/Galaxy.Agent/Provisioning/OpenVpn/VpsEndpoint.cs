using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>
/// Where clients reach the VPS: a DNS name or an IP address, and the port the server listens on.
/// Written as <c>HOST</c>, <c>HOST:PORT</c>, <c>IPv6</c> or <c>[IPv6]:PORT</c>; the port defaults to 1194.
/// </summary>
internal sealed record VpsEndpoint(string Host, int Port)
{
    public const int DefaultPort = 1194;

    /// <summary>The host is an IP address literal (not a name).</summary>
    public bool IsAddress => IPAddress.TryParse(Host, out _);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string text, out VpsEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        string host;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}': '[' without ']' (write an IPv6 endpoint as [ADDRESS]:PORT)";
                return false;
            }

            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = $"'{text}': expected ':PORT' after ']'";
                    return false;
                }

                portText = rest[1..];
            }

            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{text}': '{host}' between brackets is not an IPv6 address";
                return false;
            }
        }
        else if (text.Count(c => c == ':') > 1)
        {
            // A bare IPv6 address: no port can be told apart from it.
            host = text;
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"'{text}' is not an IPv6 address (write an IPv6 endpoint with a port as [ADDRESS]:PORT)";
                return false;
            }
        }
        else
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? text : text[..colon];
            portText = colon < 0 ? null : text[(colon + 1)..];
            if (!IsHostName(host) && !(IPAddress.TryParse(host, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork && IsDottedQuad(host)))
            {
                error = $"'{host}' is neither an IPv4 address nor a DNS name (letters, digits and '-', labels of 1 to 63 characters separated by dots)";
                return false;
            }
        }

        var port = DefaultPort;
        if (portText is not null &&
            (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"'{portText}' is not a port number (1 to 65535)";
            return false;
        }

        if (IPAddress.TryParse(host, out var address) && (IPAddress.Any.Equals(address) || IPAddress.IPv6Any.Equals(address) || address.IsIPv6Multicast ||
                                                          (address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] >= 224)))
        {
            error = $"'{host}' cannot be a server's address (unspecified, multicast or broadcast)";
            return false;
        }

        endpoint = new VpsEndpoint(host.ToLowerInvariant(), port);
        error = null;
        return true;
    }

    /// <summary>A DNS name: labels of letters, digits and inner hyphens, 1 to 63 long, at most 253 in all, not all-numeric.</summary>
    internal static bool IsHostName(string host)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        var labels = host.TrimEnd('.').Split('.');
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' ||
                !label.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-'))
            {
                return false;
            }
        }

        // 1.2.3 or 300.1.1.1 are not names: the last label of a name is never all digits.
        return !labels[^1].All(char.IsAsciiDigit);
    }

    private static bool IsDottedQuad(string host) => host.Split('.').Length == 4;

    /// <summary>The endpoint as written in an OpenVPN <c>remote</c> line (host and port are separate words there).</summary>
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
