using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>What Galaxy runs: the sanitized configuration to write, where, and the argv (no shell).</summary>
internal sealed record OpenVpnInvocation(string ConfigPath, string ConfigText, string Executable, ImmutableArray<string> Arguments);

/// <summary>
/// Builds the OpenVPN invocation for one egress from a validated profile and Galaxy's settings. Pure:
/// it writes nothing. The configuration holds only the directives the policy kept (inline material,
/// re-quoted words, no file names); everything Galaxy owns is on the command line, after
/// <c>--config</c>, so that it wins over anything the file could say. Galaxy's timer defaults come
/// before <c>--config</c>, so that the profile can still change them.
/// </summary>
internal static class OpenVpnCommandLine
{
    /// <summary>The sanitized configuration's file name inside the runtime directory.</summary>
    public const string ConfigFileName = "openvpn.conf";

    /// <summary>
    /// Pushed options OpenVPN must drop. <c>pull-filter</c> matches by prefix, so <c>route</c> also drops
    /// <c>route-gateway</c>, <c>route-metric</c> and <c>route-delay</c>; <c>route-ipv6</c> is listed anyway
    /// so the list reads as what it means. <c>dhcp-option</c> and <c>dns</c> are deliberately NOT
    /// filtered: Galaxy reads the pushed DNS servers from OpenVPN's log for its DNS forwarder, and
    /// OpenVPN on Linux never applies them itself without a script (and no script runs).
    /// <c>ifconfig</c>/<c>ifconfig-ipv6</c> stay: OpenVPN puts the tunnel address on Galaxy's device.
    /// </summary>
    public static readonly ImmutableArray<string> IgnoredPushes =
        ["redirect-gateway", "redirect-private", "route", "route-ipv6", "block-outside-dns"];

    /// <summary>Galaxy's default <c>--hand-window</c>; a profile's own value wins (see <see cref="AddDefaults"/>).</summary>
    public const int HandWindowSeconds = 15;

    /// <summary>Galaxy's default <c>--server-poll-timeout</c>; a profile's own value wins.</summary>
    public const int ServerPollTimeoutSeconds = 10;

    /// <summary>Galaxy's default <c>--ping</c>, only for a profile without keepalive or ping options.</summary>
    public const int PingSeconds = 10;

    /// <summary>Galaxy's default <c>--ping-restart</c>, only for a profile without keepalive or ping options.</summary>
    public const int PingRestartSeconds = 30;

    /// <summary>Directives after which Galaxy gives no ping default (OpenVPN refuses keepalive next to ping/ping-restart).</summary>
    private static readonly ImmutableHashSet<string> PingDirectives = ["keepalive", "ping", "ping-restart", "ping-exit"];

    public static OpenVpnInvocation Build(OvpnProfile profile, OpenVpnEgressSettings settings)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(settings);
        Validate(profile, settings);

        var configPath = Path.Combine(settings.RuntimeDirectory, ConfigFileName);
        var config = WriteConfig(profile, settings);
        var arguments = new List<string>();

        // Defaults, BEFORE --config: OpenVPN reads argv in order, so the profile overrides them.
        AddDefaults(arguments, profile);

        arguments.AddRange(
        [
            // Then the file, so that every option after it overrides what the file says.
            "--config", configPath,

            // Galaxy names the device; the type is given since the name need not start with "tun".
            "--dev", settings.DeviceName,
            "--dev-type", "tun",

            // Keep the device across OpenVPN's own restarts (SIGUSR1, ping-restart): Galaxy's routes and
            // firewall rules that name it stay valid, and nothing falls back to the main table meanwhile.
            "--persist-tun",

            // SO_MARK on OpenVPN's socket, so the firewall can let exactly this process's packets reach
            // exactly its endpoints. Decimal: OpenVPN reads it with atoi, and 2.6.14 given "0x47" set no
            // mark at all, silently.
            "--mark", settings.Mark.ToString(CultureInfo.InvariantCulture),

            // Management over a Unix socket: the agent listens and OpenVPN connects to it as a client, so
            // no other process can reach OpenVPN's management, and OpenVPN exits by itself when that
            // connection closes (the agent died). OpenVPN waits in hold until the agent has the firewall
            // in place and releases it, and holds again before each of its own restarts, which lets the
            // agent's supervisor pace reconnects (see Supervision/OpenVpnSession).
            "--management", settings.ManagementSocket, "unix",
            "--management-client",
            "--management-hold",
        ]);

        if (profile.NeedsCredentials || profile.NeedsKeyPassphrase)
        {
            // User name, password and key passphrase come over the management socket, never argv or a file.
            arguments.Add("--management-query-passwords");
        }

        // Routes are Galaxy's: never executed by OpenVPN (this also covers redirect-gateway, which OpenVPN
        // implements as routes), and the routing options a server pushes are dropped on arrival as well.
        // Not --route-nopull: it would also drop the pushed dhcp-option DNS servers Galaxy needs.
        arguments.Add("--route-noexec");
        foreach (var pushed in IgnoredPushes)
        {
            arguments.AddRange(["--pull-filter", "ignore", pushed]);
        }

        // OpenVPN drops a tunnel packet addressed to its own server ("Recursive routing detected") in case the
        // route to that server leads back into the tunnel. With Galaxy it cannot: OpenVPN's socket carries its
        // mark, which routes by the WAN alone, and the firewall lets that mark out on the WAN only. Without this,
        // flows to the VPS itself (a site on it, an SSH egress riding on the tunnel) vanish without a trace.
        arguments.Add("--allow-recursive-routing");

        // 1 = OpenVPN may run its own built-in helpers only; the profile has no script to run anyway.
        arguments.AddRange(["--script-security", "1"]);

        // A failed login is reported (AUTH_FAILED, then OpenVPN exits) and waits for the user; Galaxy's
        // supervisor, not OpenVPN, decides about retrying.
        arguments.AddRange(["--auth-retry", "none"]);

        if (!profile.UsesConnectionBlocks)
        {
            // Pinned remotes, each with its family-specific protocol; the file has no remote of its own.
            foreach (var remote in settings.Remotes)
            {
                arguments.AddRange(["--remote", remote.Address.ToString(), remote.Port.ToString(CultureInfo.InvariantCulture), remote.ProtocolWord]);
            }

            // No fixed local port: the firewall matches the mark and the endpoint, not a source port.
            arguments.Add("--nobind");
        }

        // verb 3 logs PUSH_REPLY (with the pushed DNS servers and addresses) and state changes, which the
        // supervisor reads; timestamps are the journal's job.
        arguments.AddRange(["--verb", "3", "--suppress-timestamps"]);

        return new OpenVpnInvocation(configPath, config, settings.Executable, [.. arguments]);
    }

    /// <summary>
    /// Galaxy's defaults that make a failure show quickly, for a profile that says nothing else. They go
    /// before <c>--config</c>, so a profile's own value wins; and before any <c>&lt;connection&gt;</c>
    /// block, which starts from the connection options set so far, so they reach the blocks too.
    /// <list type="bullet">
    /// <item><c>--hand-window 15</c> (OpenVPN: 60): a TLS handshake that does not finish — the server
    /// refused the client's certificate and drops it silently behind tls-crypt/tls-auth — is given up
    /// after 15 s.</item>
    /// <item><c>--server-poll-timeout 10</c> (OpenVPN: 120): a server that never answers (UDP) or a TCP
    /// connect that hangs is given up after 10 s. <c>--connect-timeout</c> is the same option under its
    /// old name, so it is not given as well.</item>
    /// <item><c>--ping 10 --ping-restart 30</c> only when the profile has no <c>keepalive</c>/<c>ping*</c>
    /// of its own: OpenVPN refuses <c>keepalive</c> next to <c>ping</c> or <c>ping-restart</c>. A client
    /// otherwise waits 120 s (OpenVPN's client default) for a silent server until the server's pushed
    /// <c>ping</c>/<c>ping-restart</c> (its keepalive) arrive; pushed values replace these, as they
    /// replace the profile's.</item>
    /// </list>
    /// </summary>
    private static void AddDefaults(List<string> arguments, OvpnProfile profile)
    {
        arguments.AddRange(["--hand-window", HandWindowSeconds.ToString(CultureInfo.InvariantCulture)]);
        arguments.AddRange(["--server-poll-timeout", ServerPollTimeoutSeconds.ToString(CultureInfo.InvariantCulture)]);
        if (!profile.Directives.Any(d => PingDirectives.Contains(d.Name)))
        {
            arguments.AddRange(["--ping", PingSeconds.ToString(CultureInfo.InvariantCulture)]);
            arguments.AddRange(["--ping-restart", PingRestartSeconds.ToString(CultureInfo.InvariantCulture)]);
        }
    }

    /// <summary>
    /// The sanitized file. No text from the profile is written except kept words (re-quoted) and
    /// material lines (checked by the importer not to close their block): not even the profile's file
    /// name, which could hold a newline.
    /// </summary>
    private static string WriteConfig(OvpnProfile profile, OpenVpnEgressSettings settings)
    {
        var text = new StringBuilder();
        text.Append("# Written by Galaxy from an imported profile; regenerated on every start.\n");
        foreach (var directive in profile.Directives)
        {
            WriteDirective(text, directive);
        }

        if (profile.UsesConnectionBlocks)
        {
            // Per-remote options live in <connection> blocks, so each pinned remote gets its own block with
            // its source block's options; a --remote on argv would be ignored next to blocks. Options after
            // the blocks do not reach them, so nobind is written into each block.
            foreach (var remote in settings.Remotes)
            {
                text.Append("<connection>\n");
                text.Append(OvpnQuoting.Line("remote", [remote.Address.ToString(), remote.Port.ToString(CultureInfo.InvariantCulture), remote.ProtocolWord])).Append('\n');
                text.Append("nobind\n");
                foreach (var option in profile.Remotes[remote.RemoteIndex].ConnectionOptions)
                {
                    WriteDirective(text, option);
                }

                text.Append("</connection>\n");
            }
        }

        return text.ToString();
    }

    private static void WriteDirective(StringBuilder text, OvpnDirective directive)
    {
        if (directive.Inline is { } material)
        {
            text.Append('<').Append(directive.Name).Append(">\n").Append(material);
            if (material.Length > 0 && !material.EndsWith('\n'))
            {
                text.Append('\n');
            }

            text.Append("</").Append(directive.Name).Append(">\n");
            return;
        }

        text.Append(OvpnQuoting.Line(directive.Name, directive.Arguments)).Append('\n');
    }

    private static void Validate(OvpnProfile profile, OpenVpnEgressSettings settings)
    {
        var device = settings.DeviceName;
        if (device.Length is 0 or > 15 || device is "." or ".." || !device.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
        {
            throw new ArgumentException($"device name '{OvpnImporter.Printable(device)}' is not a Linux interface name (1 to 15 of A-Z a-z 0-9 _ - .)", nameof(settings));
        }

        if (settings.Mark <= 0)
        {
            throw new ArgumentException($"mark {settings.Mark} must be between 1 and {int.MaxValue} (0 means no mark; OpenVPN reads it with atoi)", nameof(settings));
        }

        CheckPath(settings.ManagementSocket, "management socket");
        if (Encoding.UTF8.GetByteCount(settings.ManagementSocket) > 107)
        {
            throw new ArgumentException($"management socket path {settings.ManagementSocket} is longer than sun_path (107 bytes)", nameof(settings));
        }

        CheckPath(settings.RuntimeDirectory, "runtime directory");
        CheckPath(settings.Executable, "OpenVPN executable");

        if (settings.Remotes.IsEmpty)
        {
            throw new ArgumentException("no pinned remote: OpenVPN would have nowhere to connect", nameof(settings));
        }

        foreach (var remote in settings.Remotes)
        {
            if (remote.RemoteIndex < 0 || remote.RemoteIndex >= profile.Remotes.Length)
            {
                throw new ArgumentException($"pinned remote {remote.Address} names remote #{remote.RemoteIndex}; the profile has {profile.Remotes.Length}", nameof(settings));
            }

            if (remote.Transport != profile.Remotes[remote.RemoteIndex].Transport)
            {
                throw new ArgumentException($"pinned remote {remote.Address} uses {remote.Transport}; the profile's remote #{remote.RemoteIndex} uses {profile.Remotes[remote.RemoteIndex].Transport}", nameof(settings));
            }

            if (remote.Port is <= 0 or > 65535)
            {
                throw new ArgumentException($"pinned remote {remote.Address} has port {remote.Port}", nameof(settings));
            }
        }
    }

    private static void CheckPath(string path, string what)
    {
        if (!Path.IsPathFullyQualified(path) || !OvpnQuoting.CanWrite(path))
        {
            throw new ArgumentException($"{what} '{OvpnImporter.Printable(path)}' must be an absolute path without control characters", nameof(path));
        }
    }
}
