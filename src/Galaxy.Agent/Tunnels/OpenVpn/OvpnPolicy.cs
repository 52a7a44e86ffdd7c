using System.Collections.Frozen;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>
/// Galaxy's allowlist of OpenVPN 2.6 client directives. A directive not listed here is refused as
/// unknown: the table fails closed, and a new OpenVPN option is refused until someone has read what it
/// does. Reasons are phrased for the user reading <c>galaxy ovpn check</c>.
/// </summary>
internal static class OvpnPolicy
{
    public const string UnknownReason = "unknown directive (Galaxy accepts only the directives it knows to be safe)";

    private const string Script = "runs a program (script hook); Galaxy never lets a profile run code on the router";
    private const string Code = "loads code into OpenVPN; Galaxy never lets a profile do that";
    private const string HostFile = "reads or writes a file on the router outside the profile";
    private const string Control = "controls the OpenVPN process; Galaxy sets it on the command line";
    private const string Server = "server-side directive; Galaxy runs OpenVPN as a client";
    private const string Proxy = "OpenVPN-level proxies are not supported: Galaxy pins and firewalls the endpoint itself";
    private const string Routing = "Galaxy owns routing; ignored (pushed routes are filtered too)";
    private const string Dns = "Galaxy owns DNS; ignored (DNS servers pushed by the server still reach Galaxy)";
    private const string Addressing = "Galaxy owns the device and its addressing; ignored (the server's pushed addresses are used)";
    private const string Binding = "Galaxy chooses the local socket (always nobind); ignored";
    private const string Process = "Galaxy runs and supervises the OpenVPN process; ignored";
    private const string NoScripts = "only affects scripts, and Galaxy runs none; ignored";
    private const string Logging = "Galaxy collects OpenVPN's output itself; ignored";

    private static readonly FrozenDictionary<string, OvpnRule> Rules = Build().ToFrozenDictionary(r => r.Name, StringComparer.Ordinal);

    /// <summary>The rule for a directive name, or null when the name is unknown.</summary>
    public static OvpnRule? Find(string name)
    {
        if (Rules.TryGetValue(name, out var rule))
        {
            return rule;
        }

        // Every management option (management, management-hold, -client-user, -external-key, …).
        return name.StartsWith("management", StringComparison.Ordinal)
            ? new OvpnRule(name, OvpnVerdict.Reject, 0, OvpnParser.MaxWords, OvpnRuleFlags.None, "the management interface is Galaxy's; " + Control)
            : null;
    }

    internal static IEnumerable<OvpnRule> All => Rules.Values;

    private static IEnumerable<OvpnRule> Build()
    {
        const OvpnRuleFlags C = OvpnRuleFlags.Connection;
        const OvpnRuleFlags F = OvpnRuleFlags.File;
        const OvpnRuleFlags I = OvpnRuleFlags.Inline;
        const OvpnRuleFlags X = OvpnRuleFlags.Consumed;
        const int Many = OvpnParser.MaxWords - 1;

        static OvpnRule A(string name, int min, int max, OvpnRuleFlags flags = OvpnRuleFlags.None) => new(name, OvpnVerdict.Allow, min, max, flags, null);
        static OvpnRule R(string name, string reason, OvpnRuleFlags flags = OvpnRuleFlags.None) => new(name, OvpnVerdict.Reject, 0, Many, flags, reason);
        static OvpnRule W(string name, string reason, OvpnRuleFlags flags = OvpnRuleFlags.None) => new(name, OvpnVerdict.Ignore, 0, Many, flags, reason);

        // Mode and endpoints. remote/proto/port/rport become Galaxy's pinned remotes; dev/dev-type become --dev/--dev-type.
        yield return A("client", 0, 0);
        yield return A("tls-client", 0, 0);
        yield return A("pull", 0, 0);
        yield return A("remote", 1, 3, C | X);
        yield return A("proto", 1, 1, C | X);
        yield return A("port", 1, 1, C | X);
        yield return A("rport", 1, 1, C | X);
        yield return A("remote-random", 0, 0);
        yield return A("remote-random-hostname", 0, 0);
        yield return A("dev", 1, 1, X);
        yield return A("dev-type", 1, 1, X);
        yield return A("persist-tun", 0, 0, X);
        yield return A("nobind", 0, 0, C | X);
        yield return A("float", 0, 0, C);
        yield return A("persist-key", 0, 0);
        yield return A("persist-remote-ip", 0, 0);
        yield return A("persist-local-ip", 0, 0);
        yield return A("resolv-retry", 1, 1);
        yield return A("connect-retry", 1, 2, C);
        yield return A("connect-retry-max", 1, 1, C);
        yield return A("connect-timeout", 1, 1, C);
        yield return A("server-poll-timeout", 1, 1, C);
        yield return A("explicit-exit-notify", 0, 1, C);
        yield return A("topology", 1, 1);
        yield return A("disable-dco", 0, 0);

        // Link, MTU and timers.
        yield return A("tun-mtu", 1, 2, C);
        yield return A("tun-mtu-extra", 1, 1, C);
        yield return A("link-mtu", 1, 1, C);
        yield return A("mssfix", 0, 2, C);
        yield return A("fragment", 1, 2, C);
        yield return A("mtu-disc", 1, 1);
        yield return A("mtu-test", 0, 0);
        yield return A("txqueuelen", 1, 1);
        yield return A("sndbuf", 1, 1);
        yield return A("rcvbuf", 1, 1);
        yield return A("fast-io", 0, 0);
        yield return A("passtos", 0, 0);
        yield return A("mlock", 0, 0);
        yield return A("keepalive", 2, 2);
        yield return A("ping", 1, 1);
        yield return A("ping-restart", 1, 1);
        yield return A("ping-exit", 1, 1);
        yield return A("ping-timer-rem", 0, 0);
        yield return A("inactive", 1, 2);
        yield return A("hand-window", 1, 1);
        yield return A("tran-window", 1, 1);
        yield return A("reneg-sec", 1, 2);
        yield return A("reneg-bytes", 1, 1);
        yield return A("reneg-pkts", 1, 1);
        yield return A("tls-timeout", 1, 1);
        yield return A("tls-exit", 0, 0);
        yield return A("replay-window", 1, 2);
        yield return A("mute-replay-warnings", 0, 0);
        yield return A("verb", 1, 1);
        yield return A("mute", 1, 1);
        yield return A("tun-ipv6", 0, 0);
        yield return A("push-peer-info", 0, 0);
        yield return A("allow-pull-fqdn", 0, 0);
        yield return A("remap-usr1", 1, 1);

        // Data channel crypto and compression (compression is checked further in the importer: VORACLE).
        yield return A("cipher", 1, 1);
        yield return A("data-ciphers", 1, 1);
        yield return A("data-ciphers-fallback", 1, 1);
        yield return A("ncp-ciphers", 1, 1);
        yield return A("auth", 1, 1);
        yield return A("compress", 0, 1);
        yield return A("comp-lzo", 0, 1);
        yield return A("comp-noadapt", 0, 0);
        yield return A("allow-compression", 1, 1);

        // TLS: material (files inside the profile's folder are read and inlined), verification, versions.
        yield return A("ca", 1, 1, F);
        yield return A("cert", 1, 1, F);
        yield return A("key", 1, 1, F);
        yield return A("extra-certs", 1, 1, F);
        yield return A("pkcs12", 1, 1, F);
        yield return A("tls-auth", 1, 2, F);
        yield return A("tls-crypt", 1, 1, F);
        yield return A("tls-crypt-v2", 1, 1, F);
        yield return A("crl-verify", 1, 1, F);
        yield return A("key-direction", 1, 1);
        yield return A("peer-fingerprint", 1, 1, I);
        yield return A("verify-hash", 1, 2);
        yield return A("verify-x509-name", 1, 2);
        yield return A("remote-cert-tls", 1, 1);
        yield return A("remote-cert-ku", 0, Many);
        yield return A("remote-cert-eku", 1, 1);
        yield return A("ns-cert-type", 1, 1); // deprecated, still read by 2.6.14 (oracle); old provider profiles use it
        yield return A("tls-cipher", 1, 1);
        yield return A("tls-ciphersuites", 1, 1);
        yield return A("tls-groups", 1, 1);
        yield return A("ecdh-curve", 1, 1);
        yield return A("tls-cert-profile", 1, 1);
        yield return A("tls-version-min", 1, 2);
        yield return A("tls-version-max", 1, 1);

        // Credentials: asked over the management interface, never read from a file.
        yield return A("auth-user-pass", 0, 0);
        yield return A("askpass", 0, 0);
        yield return A("auth-nocache", 0, 0);
        yield return A("static-challenge", 2, 3);

        // Handled by the importer itself: setenv opt X is judged as X; ignore-unknown-option is honoured.
        yield return A("setenv", 1, Many, C);
        yield return A("ignore-unknown-option", 1, Many);

        // Script hooks and code loading.
        foreach (var name in new[]
                 {
                     "up", "down", "route-up", "route-pre-down", "ipchange", "tls-verify", "auth-user-pass-verify",
                     "client-connect", "client-disconnect", "learn-address", "tls-crypt-v2-verify", "iproute",
                     "dns-updown", "tls-export-cert",
                 })
        {
            yield return R(name, name == "tls-export-cert" ? HostFile : Script);
        }

        yield return R("plugin", Code);
        yield return R("script-security", "Galaxy sets --script-security 1 (no user scripts) itself");
        yield return R("engine", Code);
        yield return R("providers", Code);
        foreach (var name in new[] { "pkcs11-providers", "pkcs11-id", "pkcs11-id-management", "pkcs11-pin-cache", "pkcs11-protected-authentication", "pkcs11-cert-private", "pkcs11-private-mode" })
        {
            yield return R(name, "PKCS#11 " + Code);
        }

        // Host files and process control.
        foreach (var name in new[] { "config", "cd", "chroot", "log", "log-append", "status", "writepid", "tmp-dir", "replay-persist", "ifconfig-pool-persist", "capath" })
        {
            yield return R(name, HostFile);
        }

        foreach (var name in new[] { "daemon", "inetd", "syslog", "dev-node", "lladdr", "route-noexec", "pull-filter" })
        {
            yield return R(name, Control);
        }

        yield return R("mark", "the socket mark is Galaxy's (the firewall allows exactly this mark); " + Control);
        yield return R("secret", "static-key mode is not supported (deprecated; removed in OpenVPN 2.7); use TLS");
        foreach (var name in new[] { "http-proxy", "http-proxy-option", "http-proxy-user-pass", "http-proxy-retry", "http-proxy-timeout", "socks-proxy", "socks-proxy-retry", "port-share" })
        {
            yield return R(name, Proxy, C);
        }

        foreach (var name in new[]
                 {
                     "server", "server-ipv6", "server-bridge", "mode", "tls-server", "dh", "push", "push-reset", "push-remove",
                     "client-to-client", "duplicate-cn", "ifconfig-pool", "ifconfig-ipv6-pool", "client-config-dir", "ccd-exclusive",
                     "max-clients", "verify-client-cert", "username-as-common-name", "auth-gen-token", "iroute", "iroute-ipv6",
                     "stale-routes-check", "connect-freq", "opt-verify", "ifconfig-push", "ifconfig-ipv6-push",
                 })
        {
            yield return R(name, Server);
        }

        // Galaxy owns routing, DNS, addressing, binding and the process: ignored with a warning.
        foreach (var name in new[] { "redirect-gateway", "redirect-private", "route", "route-ipv6", "route-gateway", "route-ipv6-gateway", "route-metric", "route-delay", "route-nopull", "allow-recursive-routing", "route-method" })
        {
            yield return W(name, Routing);
        }

        foreach (var name in new[] { "dhcp-option", "dns", "block-outside-dns", "register-dns", "dhcp-renew", "dhcp-release", "dhcp-pre-release" })
        {
            yield return W(name, Dns);
        }

        foreach (var name in new[] { "ifconfig", "ifconfig-ipv6", "ifconfig-nowarn", "ifconfig-noexec", "ip-win32", "tap-sleep", "block-ipv6", "windows-driver", "win-sys" })
        {
            yield return W(name, Addressing);
        }

        foreach (var name in new[] { "local", "lport", "bind" })
        {
            yield return W(name, Binding, C);
        }

        yield return W("user", "Galaxy decides which user OpenVPN runs as; ignored");
        yield return W("group", "Galaxy decides which group OpenVPN runs as; ignored");
        yield return W("nice", Process);
        yield return W("auth-retry", "Galaxy never retries a failed login in a loop (it runs --auth-retry none); ignored");
        yield return W("echo", Process);
        foreach (var name in new[] { "up-restart", "up-delay", "down-pre", "setenv-safe", "x509-track" })
        {
            yield return W(name, NoScripts);
        }

        foreach (var name in new[] { "status-version", "machine-readable-output", "suppress-timestamps", "errors-to-stderr" })
        {
            yield return W(name, Logging);
        }

    }
}
