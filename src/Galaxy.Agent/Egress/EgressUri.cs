using System.Globalization;
using System.Net;
using Galaxy.Agent.Egress.Proxy;

namespace Galaxy.Agent.Egress;

/// <summary>
/// The command-line form of one egress: <c>direct</c>, <c>direct:DEV</c>, <c>socks5://[USER:PASS@]HOST:PORT</c>,
/// <c>http://[USER:PASS@]HOST:PORT</c>, <c>reject</c> or <c>drop</c> (HOST an address literal: the data plane resolves nothing).
/// </summary>
internal static class EgressUri
{
    public static bool TryParse(string text, uint mark, SocketFactory? sockets, out IEgressDialer? dialer, out string error)
    {
        dialer = null;
        error = "";
        var connectTimeout = TimeSpan.FromSeconds(10);
        if (text is "reject" or "drop")
        {
            dialer = text == "reject" ? BlockDialer.Reject() : BlockDialer.Drop();
            return true;
        }

        if (text == "direct" || text.StartsWith("direct:", StringComparison.Ordinal))
        {
            var device = text.Length > "direct:".Length ? text["direct:".Length..] : null;
            if (text == "direct:")
            {
                error = "direct: needs a device name after the colon";
                return false;
            }

            try
            {
                dialer = new DeviceDialer(device is null ? "direct" : $"direct:{device}", device, mark, connectTimeout, sockets);
                return true;
            }
            catch (ArgumentException e)
            {
                error = e.Message;
                return false;
            }
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("socks5" or "http"))
        {
            error = $"\"{text}\" is not direct[:DEV], socks5://HOST:PORT, http://HOST:PORT, reject or drop";
            return false;
        }

        if (!IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) || uri.Port is <= 0 or > 65535 || uri.IsDefaultPort && !text.Contains(':', StringComparison.Ordinal))
        {
            error = $"\"{text}\": the proxy must be an IP address with a port";
            return false;
        }

        if (uri.AbsolutePath is not ("" or "/") || uri.Query.Length > 0)
        {
            error = $"\"{text}\": a proxy address has no path or query";
            return false;
        }

        ProxyCredentials? credentials = null;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            if (parts.Length != 2 || parts[0].Length == 0)
            {
                error = $"\"{uri.Scheme}://…@{uri.Authority}\": credentials must be USER:PASS";
                return false;
            }

            credentials = new ProxyCredentials(Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1]));
        }

        var proxy = new IPEndPoint(address, uri.Port);
        var transport = new DeviceDialer("wan", null, mark, connectTimeout, sockets);
        var name = string.Create(CultureInfo.InvariantCulture, $"{uri.Scheme}://{proxy}");
        dialer = uri.Scheme == "socks5"
            ? new Socks5Dialer(name, proxy, credentials, transport, connectTimeout)
            : new HttpConnectDialer(name, proxy, credentials, transport, connectTimeout);
        return true;
    }
}
