using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Galaxy.Agent.Provisioning.Ssh;

/// <summary>
/// What <c>galaxy vps ssh</c> is asked to produce: a dedicated, forwarding-only sshd named <see cref="Name"/>
/// listening on <see cref="Endpoint"/>'s port, with one account <see cref="User"/>, and the router's side.
/// </summary>
internal sealed partial record SshVpsSpec(string Name, IPEndPoint Endpoint, string User)
{
    /// <summary>
    /// The port when none is given: not 22, which the VPS's own sshd (the administrator's) keeps; the Galaxy
    /// sshd is a separate instance with its own host key.
    /// </summary>
    public const int DefaultPort = 2222;

    public const string DefaultUser = "galaxy";

    /// <summary>Where install.sh puts the server's files.</summary>
    public string InstallDirectory => $"/etc/galaxy-ssh/{Name}";

    /// <summary>The systemd unit install.sh writes.</summary>
    public string UnitName => $"galaxy-ssh-{Name}.service";

    /// <summary>The egress name in the router snippet: the name if it is a valid egress name, else "ssh".</summary>
    public string EgressName => EgressNamePattern().IsMatch(Name) ? Name : "ssh";

    [GeneratedRegex("^[a-z][a-z0-9-]{0,14}$")]
    private static partial Regex EgressNamePattern();

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserPattern();

    /// <summary>Null when <paramref name="user"/> is a portable login name, else why not.</summary>
    public static string? CheckUser(string user) => UserPattern().IsMatch(user)
        ? null
        : $"'{user}' is not a login name (a lower-case letter or '_', then letters, digits, '_' or '-', at most 32)";

    /// <summary>
    /// <c>IP</c>, <c>IP:PORT</c> or <c>[IPv6]:PORT</c>, port <see cref="DefaultPort"/> when none: an address, since
    /// the router reaches the server before any DNS exists.
    /// </summary>
    public static bool TryParseEndpoint(string text, out IPEndPoint? endpoint, out string problem)
    {
        endpoint = null;
        problem = "";
        if (IPAddress.TryParse(text, out var bare) && (bare.AddressFamily == AddressFamily.InterNetworkV6 ? !text.StartsWith('[') : text.Split('.').Length == 4))
        {
            endpoint = new IPEndPoint(bare, DefaultPort);
            return true;
        }

        if (IPEndPoint.TryParse(text, out var parsed) && parsed.Port != 0
            && (parsed.AddressFamily == AddressFamily.InterNetworkV6 ? text.StartsWith('[') : text.Split('.').Length == 4))
        {
            endpoint = parsed;
            return true;
        }

        problem = string.Create(CultureInfo.InvariantCulture,
            $"'{text}': expected IP, IP:PORT or [IPv6]:PORT (an address: the router reaches the server before it has DNS; port {DefaultPort} by default)");
        return false;
    }
}
