using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn;

/// <summary>
/// Every directive the allowlist accepts, in a typical use, goes through import, the command line
/// and the real openvpn 2.6: Galaxy never accepts a profile line that OpenVPN would then refuse.
/// </summary>
public sealed class OvpnAllowlistOracleTests
{
    private static readonly string Key = OvpnSamples.StaticKey(77);
    private static readonly string Fingerprint = string.Join(':', Enumerable.Repeat("AB", 32));

    /// <summary>One sample line (or block) per allowed directive.</summary>
    private static readonly Dictionary<string, string> Samples = new(StringComparer.Ordinal)
    {
        ["client"] = "client", ["tls-client"] = "tls-client", ["pull"] = "pull",
        ["remote"] = "remote b.example 443 tcp", ["proto"] = "proto tcp-client", ["port"] = "port 1195", ["rport"] = "rport 1195",
        ["remote-random"] = "remote-random", ["remote-random-hostname"] = "remote-random-hostname",
        ["dev"] = "dev tun", ["dev-type"] = "dev-type tun", ["persist-tun"] = "persist-tun", ["nobind"] = "nobind",
        ["float"] = "float", ["persist-key"] = "persist-key", ["persist-remote-ip"] = "persist-remote-ip",
        ["persist-local-ip"] = "persist-local-ip", ["resolv-retry"] = "resolv-retry infinite", ["connect-retry"] = "connect-retry 5 60",
        ["connect-retry-max"] = "connect-retry-max 3", ["connect-timeout"] = "connect-timeout 10", ["server-poll-timeout"] = "server-poll-timeout 10",
        ["explicit-exit-notify"] = "explicit-exit-notify 2", ["topology"] = "topology subnet", ["disable-dco"] = "disable-dco",
        ["tun-mtu"] = "tun-mtu 1500", ["tun-mtu-extra"] = "tun-mtu-extra 32", ["link-mtu"] = "link-mtu 1550", ["mssfix"] = "mssfix 1400",
        ["fragment"] = "fragment 1300", ["mtu-disc"] = "mtu-disc yes", ["mtu-test"] = "mtu-test", ["txqueuelen"] = "txqueuelen 1000",
        ["sndbuf"] = "sndbuf 393216", ["rcvbuf"] = "rcvbuf 393216", ["fast-io"] = "fast-io", ["passtos"] = "passtos", ["mlock"] = "mlock",
        ["keepalive"] = "keepalive 10 60", ["ping"] = "ping 10", ["ping-restart"] = "ping-restart 60", ["ping-exit"] = "ping-exit 120",
        ["ping-timer-rem"] = "ping-timer-rem", ["inactive"] = "inactive 3600", ["hand-window"] = "hand-window 60",
        ["tran-window"] = "tran-window 3600", ["reneg-sec"] = "reneg-sec 0", ["reneg-bytes"] = "reneg-bytes 1000000",
        ["reneg-pkts"] = "reneg-pkts 100000", ["tls-timeout"] = "tls-timeout 2", ["tls-exit"] = "tls-exit",
        ["replay-window"] = "replay-window 64 15", ["mute-replay-warnings"] = "mute-replay-warnings", ["verb"] = "verb 4", ["mute"] = "mute 20",
        ["tun-ipv6"] = "tun-ipv6", ["push-peer-info"] = "push-peer-info", ["allow-pull-fqdn"] = "allow-pull-fqdn",
        ["remap-usr1"] = "remap-usr1 SIGHUP", ["cipher"] = "cipher AES-256-GCM", ["data-ciphers"] = "data-ciphers AES-256-GCM:CHACHA20-POLY1305",
        ["data-ciphers-fallback"] = "data-ciphers-fallback AES-256-CBC", ["ncp-ciphers"] = "ncp-ciphers AES-256-GCM", ["auth"] = "auth SHA256",
        ["compress"] = "compress lz4-v2", ["comp-lzo"] = "comp-lzo no", ["comp-noadapt"] = "comp-noadapt", ["allow-compression"] = "allow-compression asym",
        ["ca"] = $"<ca>\n{OvpnSamples.Pem("CERTIFICATE", 70)}</ca>", ["cert"] = $"<cert>\n{OvpnSamples.Pem("CERTIFICATE", 71)}</cert>\n<key>\n{OvpnSamples.Pem("PRIVATE KEY", 72)}</key>",
        ["key"] = $"<cert>\n{OvpnSamples.Pem("CERTIFICATE", 71)}</cert>\n<key>\n{OvpnSamples.Pem("PRIVATE KEY", 72)}</key>",
        ["extra-certs"] = $"<extra-certs>\n{OvpnSamples.Pem("CERTIFICATE", 73)}</extra-certs>",
        ["pkcs12"] = "<pkcs12>\nMIIBAgIBAzCB\n</pkcs12>",
        ["tls-auth"] = $"<tls-auth>\n{Key}</tls-auth>\nkey-direction 1", ["key-direction"] = "key-direction 1",
        ["tls-crypt"] = $"<tls-crypt>\n{Key}</tls-crypt>",
        ["tls-crypt-v2"] = $"<tls-crypt-v2>\n-----BEGIN OpenVPN tls-crypt-v2 client key-----\nAAAA\n-----END OpenVPN tls-crypt-v2 client key-----\n</tls-crypt-v2>",
        ["crl-verify"] = $"<crl-verify>\n{OvpnSamples.Pem("X509 CRL", 74)}</crl-verify>",
        ["peer-fingerprint"] = $"peer-fingerprint {Fingerprint}", ["verify-hash"] = $"verify-hash {Fingerprint} SHA256",
        ["verify-x509-name"] = "verify-x509-name server.example name", ["remote-cert-tls"] = "remote-cert-tls server",
        ["remote-cert-ku"] = "remote-cert-ku a0 88", ["remote-cert-eku"] = "remote-cert-eku \"TLS Web Server Authentication\"",
        ["ns-cert-type"] = "ns-cert-type server", ["tls-cipher"] = "tls-cipher DEFAULT:@SECLEVEL=2",
        ["tls-ciphersuites"] = "tls-ciphersuites TLS_AES_256_GCM_SHA384", ["tls-groups"] = "tls-groups X25519:secp256r1",
        ["ecdh-curve"] = "ecdh-curve secp384r1", ["tls-cert-profile"] = "tls-cert-profile preferred",
        ["tls-version-min"] = "tls-version-min 1.2 or-highest", ["tls-version-max"] = "tls-version-max 1.3",
        ["auth-user-pass"] = "auth-user-pass", ["askpass"] = "askpass", ["auth-nocache"] = "auth-nocache",
        ["static-challenge"] = "static-challenge \"Enter OTP\" 1",
        ["setenv"] = "setenv opt tun-mtu 1400", ["ignore-unknown-option"] = "ignore-unknown-option future-thing\nfuture-thing 1",
    };

    public static TheoryData<string> AllowedDirectives => [.. OvpnPolicy.All.Where(r => r.Verdict == OvpnVerdict.Allow).Select(r => r.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public void Every_allowed_directive_has_a_sample_here()
    {
        var missing = OvpnPolicy.All.Where(r => r.Verdict == OvpnVerdict.Allow && !Samples.ContainsKey(r.Name)).Select(r => r.Name).ToArray();
        Assert.True(missing.Length == 0, $"add a sample line for: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(AllowedDirectives))]
    public async Task Allowed_directive_is_accepted_by_openvpn_through_Galaxy(string name)
    {
        OpenVpnOracle.RequireInstalled();
        Assert.True(Samples.TryGetValue(name, out var sample), $"no sample for {name}");
        var result = OvpnSamples.Import($"client\nremote vpn.example.net 1194\n<ca>\n{OvpnSamples.Pem("CERTIFICATE", 9, 2)}</ca>\nauth-user-pass\n{sample}\n");
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));

        using var temp = new TempFolder();
        var (held, output) = await OpenVpnOracle.ReachesHoldAsync(result.Profile!, temp.Path, TestContext.Current.CancellationToken);
        Assert.True(held, $"openvpn refused what Galaxy accepted («{sample}»):\n{output}");
    }
}
