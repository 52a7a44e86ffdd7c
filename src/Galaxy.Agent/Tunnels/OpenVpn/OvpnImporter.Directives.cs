using System.Collections.Immutable;
using System.Globalization;
using System.Net;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>The judgement of one directive.</summary>
internal sealed partial class OvpnImporter
{
    /// <summary>
    /// Judges one directive. <paramref name="scope"/> is the enclosing <c>&lt;connection&gt;</c>'s endpoint,
    /// or null at top level; kept directives go to <paramref name="kept"/>.
    /// </summary>
    private void Judge(OvpnDirective directive, Endpoint? scope, List<OvpnDirective> kept)
    {
        var name = directive.Name;
        var location = directive.Location;
        var shown = Shown(directive);
        var rule = OvpnPolicy.Find(name);
        if (rule is null)
        {
            if (_ignoredUnknown.Contains(name))
            {
                Warn(location, $"{shown}: unknown, and named by 'ignore-unknown-option'; ignored");
            }
            else
            {
                Error(location, name.StartsWith('<')
                    ? $"{shown}: malformed inline tag (a tag must stand alone on its line)"
                    : $"{shown}: {OvpnPolicy.UnknownReason}");
            }

            return;
        }

        if (rule.Verdict == OvpnVerdict.Reject)
        {
            Error(location, $"{shown}: {rule.Reason}");
            return;
        }

        if (scope is not null && !rule.Has(OvpnRuleFlags.Connection))
        {
            Error(location, $"{shown}: not allowed inside a <connection> block");
            return;
        }

        if (rule.Verdict == OvpnVerdict.Ignore)
        {
            Warn(location, $"{shown}: {rule.Reason}");
            return;
        }

        if (name is "auth-user-pass" or "askpass" && (directive.Inline is not null || !directive.Arguments.IsEmpty))
        {
            Error(location, $"{shown}: credentials are handed over Galaxy's management interface, never read from the profile or a file; remove the file name or inline block");
            return;
        }

        if (directive.Inline is not null && !rule.Has(OvpnRuleFlags.File) && !rule.Has(OvpnRuleFlags.Inline))
        {
            Error(location, $"{shown}: cannot be an inline block");
            return;
        }

        var count = directive.Arguments.Length;
        if (directive.Inline is null && (count < rule.MinArguments || count > rule.MaxArguments))
        {
            var expected = rule.MinArguments == rule.MaxArguments
                ? rule.MinArguments.ToString(CultureInfo.InvariantCulture)
                : $"{rule.MinArguments} to {rule.MaxArguments}";
            Error(location, $"{shown}: takes {expected} argument{(rule.MaxArguments == 1 ? string.Empty : "s")}, got {count}");
            return;
        }

        if (directive.Arguments.FirstOrDefault(a => !OvpnQuoting.CanWrite(a)) is { } unwritable)
        {
            Error(location, $"{shown}: argument '{Printable(unwritable)}' holds a control character (an escaped line end?)");
            return;
        }

        var endpoint = scope ?? _global;
        switch (name)
        {
            case "setenv":
                JudgeSetenv(directive, scope, kept);
                return;
            case "ignore-unknown-option":
                _ignoredUnknown.UnionWith(directive.Arguments);
                return;
            case "client" or "tls-client":
                _client = true;
                break;
            case "remote":
                JudgeRemote(directive, scope);
                return;
            case "proto":
                if (ParseProtocol(directive, directive.Arguments[0]) is { } protocol)
                {
                    endpoint.Protocol = protocol;
                }

                return;
            case "port" or "rport":
                if (ParsePort(directive, directive.Arguments[0]) is { } port)
                {
                    endpoint.Port = port;
                }

                return;
            case "dev":
                var device = directive.Arguments[0];
                if (device.StartsWith("tap", StringComparison.Ordinal) || device == "null")
                {
                    Error(location, $"{shown}: only tun devices are supported (Galaxy routes IP, not Ethernet)");
                }

                return;
            case "dev-type":
                if (directive.Arguments[0] != "tun")
                {
                    Error(location, $"{shown}: only tun devices are supported (Galaxy routes IP, not Ethernet)");
                }

                return;
            case "auth-user-pass":
                _needsCredentials = true;
                break;
            case "askpass":
                _needsKeyPassphrase = true;
                return;
            case "key-direction":
                if (ParseDirection(directive, directive.Arguments[0]) is { } keyDirection)
                {
                    _keyDirection = (keyDirection, location);
                    break;
                }

                return;
            case "compress":
            case "comp-lzo":
                if (!JudgeCompression(directive))
                {
                    return;
                }

                break;
            case "allow-compression":
                switch (directive.Arguments[0])
                {
                    case "no" or "asym":
                        break;
                    case "yes":
                        Warn(location, $"{shown}: would compress outgoing packets, which leaks their content's size (VORACLE); Galaxy keeps OpenVPN's default (asym); ignored");
                        return;
                    default:
                        Error(location, $"{shown}: expected no, asym or yes");
                        return;
                }

                break;
        }

        if (rule.Has(OvpnRuleFlags.File))
        {
            KeepMaterial(directive, kept);
            return;
        }

        if (directive.Inline is not null)
        {
            if (CheckMaterial(directive, directive.Inline) is { } problem)
            {
                Error(location, $"{shown}: {problem}");
                return;
            }

            kept.Add(directive);
            return;
        }

        if (rule.Has(OvpnRuleFlags.Consumed))
        {
            return;
        }

        var line = OvpnQuoting.Line(name, directive.Arguments);
        if (OvpnQuoting.ByteLength(line) > OvpnParser.MaxLineBytes)
        {
            Error(location, $"{shown}: too long for one OpenVPN line once re-quoted");
            return;
        }

        kept.Add(directive);
    }

    /// <summary>
    /// <c>setenv opt X …</c> makes OpenVPN apply <c>X …</c> and only downgrades an unknown X to a warning:
    /// X is judged like any directive. A plain <c>setenv</c> only feeds scripts, which Galaxy never runs.
    /// </summary>
    private void JudgeSetenv(OvpnDirective directive, Endpoint? scope, List<OvpnDirective> kept)
    {
        var arguments = directive.Arguments;
        if (arguments[0] != "opt")
        {
            Warn(directive.Location, $"'setenv {arguments[0]}': only affects scripts, and Galaxy runs none; ignored");
            return;
        }

        if (arguments.Length < 2)
        {
            Error(directive.Location, "'setenv opt': names no directive");
            return;
        }

        var wrapped = new OvpnDirective(arguments[1], arguments[2..], directive.Location);
        if (OvpnPolicy.Find(wrapped.Name) is null && !_ignoredUnknown.Contains(wrapped.Name))
        {
            Warn(directive.Location, $"'setenv opt {Printable(wrapped.Name)}': unknown directive, which 'setenv opt' tells OpenVPN to ignore; ignored");
            return;
        }

        Judge(wrapped, scope, kept);
    }

    private void JudgeRemote(OvpnDirective directive, Endpoint? scope)
    {
        var arguments = directive.Arguments;
        var host = arguments[0];
        if (!IsHost(host))
        {
            Error(directive.Location, $"'remote': '{Printable(host)}' is not a host name or an IP address");
            return;
        }

        int? port = null;
        if (arguments.Length > 1)
        {
            port = ParsePort(directive, arguments[1]);
            if (port is null)
            {
                return;
            }
        }

        (OvpnTransport, int?)? protocol = null;
        if (arguments.Length > 2)
        {
            protocol = ParseProtocol(directive, arguments[2]);
            if (protocol is null)
            {
                return;
            }
        }

        if (scope is null)
        {
            _topRemotes.Add(new PendingRemote(host, port, protocol, directive.Location));
            return;
        }

        // Inside a block, remote loads host, port and protocol into the block's entry, in order.
        if (scope.Host is not null)
        {
            Error(directive.Location, "a <connection> block holds one remote; OpenVPN would keep only the last");
            return;
        }

        scope.Host = host;
        scope.HostLocation = directive.Location;
        scope.Port = port ?? scope.Port;
        scope.Protocol = protocol ?? scope.Protocol;
    }

    private bool JudgeCompression(OvpnDirective directive)
    {
        var algorithm = directive.Arguments.FirstOrDefault();
        var known = directive.Name == "compress"
            ? algorithm is null or "lzo" or "lz4" or "lz4-v2" or "stub" or "stub-v2" or "migrate"
            : algorithm is null or "yes" or "no" or "adaptive";
        if (!known)
        {
            Error(directive.Location, $"{Shown(directive)}: unknown compression '{Printable(algorithm!)}'");
            return false;
        }

        var compresses = directive.Name == "compress" ? algorithm is "lzo" or "lz4" or "lz4-v2" : algorithm is not "no";
        if (compresses)
        {
            Warn(directive.Location, $"{Shown(directive)}: compression inside a VPN leaks the size of what it carries (VORACLE); OpenVPN 2.6 only decompresses what the server sends (allow-compression asym) and never compresses outgoing packets");
        }

        return true;
    }

    private int? ParsePort(OvpnDirective directive, string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535)
        {
            return port;
        }

        Error(directive.Location, $"{Shown(directive)}: '{Printable(text)}' is not a port number (1 to 65535)");
        return null;
    }

    private (OvpnTransport, int?)? ParseProtocol(OvpnDirective directive, string text)
    {
        (OvpnTransport, int?)? protocol = text switch
        {
            "udp" => (OvpnTransport.Udp, null),
            "udp4" => (OvpnTransport.Udp, 4),
            "udp6" => (OvpnTransport.Udp, 6),
            "tcp" or "tcp-client" => (OvpnTransport.Tcp, null),
            "tcp4" or "tcp4-client" => (OvpnTransport.Tcp, 4),
            "tcp6" or "tcp6-client" => (OvpnTransport.Tcp, 6),
            _ => null,
        };
        if (protocol is null)
        {
            Error(directive.Location, text.Contains("server", StringComparison.Ordinal)
                ? $"{Shown(directive)}: '{Printable(text)}' is a server protocol; Galaxy runs OpenVPN as a client"
                : $"{Shown(directive)}: unknown protocol '{Printable(text)}' (udp, udp4, udp6, tcp, tcp4, tcp6, tcp-client, …)");
        }

        return protocol;
    }

    private int? ParseDirection(OvpnDirective directive, string text)
    {
        if (text is "0" or "1")
        {
            return text[0] - '0';
        }

        Error(directive.Location, $"{Shown(directive)}: key direction must be 0 or 1, not '{Printable(text)}'");
        return null;
    }

    private static bool IsHost(string host)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(host, out var address) && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        return host[0] != '-' && host.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' or '_');
    }

    /// <summary>How a directive is named in a message: its name, quoted, first argument for files.</summary>
    private static string Shown(OvpnDirective directive) =>
        directive.Inline is not null ? $"<{Printable(directive.Name)}>"
        : directive.Arguments.IsEmpty ? $"'{Printable(directive.Name)}'"
        : $"'{Printable(directive.Name)} {Printable(directive.Arguments[0])}'";

    /// <summary>Text for a message: control characters shown as escapes, long words cut.</summary>
    internal static string Printable(string text)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in text.Length > 80 ? text[..80] : text)
        {
            if (char.IsControl(c))
            {
                builder.Append(c switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => $"\\x{(int)c:X2}" });
            }
            else
            {
                builder.Append(c);
            }
        }

        return text.Length > 80 ? builder.Append('…').ToString() : builder.ToString();
    }
}
