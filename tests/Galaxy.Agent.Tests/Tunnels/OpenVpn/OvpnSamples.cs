using System.Collections.Immutable;
using System.Net;
using System.Text;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn;

/// <summary>Profiles for the tests: realistic ones with dummy (PEM-looking, not real) material, and helpers.</summary>
internal static class OvpnSamples
{
    /// <summary>A PEM-looking block of random base64: the right shape, no real key.</summary>
    public static string Pem(string label, int seed, int lines = 6)
    {
        var random = new Random(seed);
        var text = new StringBuilder($"-----BEGIN {label}-----\n");
        for (var i = 0; i < lines; i++)
        {
            var bytes = new byte[48];
            random.NextBytes(bytes);
            text.Append(Convert.ToBase64String(bytes)).Append('\n');
        }

        return text.Append($"-----END {label}-----\n").ToString();
    }

    public static string StaticKey(int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n");
        for (var i = 0; i < 16; i++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            text.Append(Convert.ToHexString(bytes).ToLowerInvariant()).Append('\n');
        }

        return text.Append("-----END OpenVPN Static key V1-----\n").ToString();
    }

    /// <summary>The shape commercial providers ship: everything inline, a few Galaxy-owned lines, CRLF.</summary>
    public static string Commercial { get; } = string.Join("\r\n",
        "# Example VPN provider — generated config",
        "client",
        "dev tun",
        "proto udp",
        "remote nl1.vpn.example.net 1194",
        "remote nl2.vpn.example.net 1194",
        "remote-random",
        "resolv-retry infinite",
        "nobind",
        "persist-key",
        "persist-tun",
        "remote-cert-tls server",
        "verify-x509-name \"CN=server.vpn.example.net\" subject",
        "auth-user-pass",
        "auth-nocache",
        "cipher AES-256-GCM",
        "data-ciphers AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305",
        "auth SHA512",
        "tls-version-min 1.2",
        "reneg-sec 0",
        "keepalive 10 60",
        "tun-mtu 1500",
        "mssfix 1450",
        "redirect-gateway def1",
        "dhcp-option DNS 10.8.0.1",
        "setenv opt block-outside-dns",
        "verb 3",
        "mute 20",
        "key-direction 1",
        "<ca>",
        Pem("CERTIFICATE", 1).TrimEnd('\n').Replace("\n", "\r\n", StringComparison.Ordinal),
        "</ca>",
        "<cert>",
        Pem("CERTIFICATE", 2).TrimEnd('\n').Replace("\n", "\r\n", StringComparison.Ordinal),
        "</cert>",
        "<key>",
        Pem("PRIVATE KEY", 3).TrimEnd('\n').Replace("\n", "\r\n", StringComparison.Ordinal),
        "</key>",
        "<tls-auth>",
        StaticKey(4).TrimEnd('\n').Replace("\n", "\r\n", StringComparison.Ordinal),
        "</tls-auth>",
        string.Empty);

    /// <summary>A profile that names its material as files next to it (see <see cref="WriteFolderProfile"/>).</summary>
    public const string WithFiles = """
        client
        dev tun0
        proto tcp-client
        remote 203.0.113.10 443
        ca keys/ca.crt
        cert keys/client.crt
        key ./keys/client.key
        tls-auth keys/ta.key 1
        remote-cert-tls server
        data-ciphers AES-256-GCM
        verb 3

        """;

    /// <summary>Several remotes in <c>&lt;connection&gt;</c> blocks with per-block options; a top-level proto before them.</summary>
    public static string Connections { get; } = $"""
        client
        dev tun
        proto tcp
        <connection>
        remote a.vpn.example.org 1194 udp
        explicit-exit-notify 2
        connect-timeout 10
        </connection>
        <connection>
        remote b.vpn.example.org 443
        connect-retry 2 30
        </connection>
        <connection>
        remote 2001:db8::10 1195 udp6
        nobind
        </connection>
        <ca>
        {Pem("CERTIFICATE", 5)}</ca>
        <cert>
        {Pem("CERTIFICATE", 6)}</cert>
        <key>
        {Pem("PRIVATE KEY", 7)}</key>
        <tls-crypt>
        {StaticKey(8)}</tls-crypt>

        """;

    /// <summary>The smallest profile Galaxy imports; hostile lines are appended after it.</summary>
    public static string Minimal { get; } = $"client\nremote vpn.example.net 1194\n<ca>\n{Pem("CERTIFICATE", 9, 2)}</ca>\nauth-user-pass\n";

    public static int MinimalLineCount => Minimal.Count(c => c == '\n');

    /// <summary>Writes <see cref="WithFiles"/> and its keys into a folder; returns the profile's path.</summary>
    public static string WriteFolderProfile(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "keys"));
        File.WriteAllText(Path.Combine(folder, "keys", "ca.crt"), Pem("CERTIFICATE", 11));
        File.WriteAllText(Path.Combine(folder, "keys", "client.crt"), Pem("CERTIFICATE", 12).Replace("\n", "\r\n", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(folder, "keys", "client.key"), Pem("PRIVATE KEY", 13));
        File.WriteAllText(Path.Combine(folder, "keys", "ta.key"), StaticKey(14));
        var path = Path.Combine(folder, "profile.ovpn");
        File.WriteAllText(path, WithFiles);
        return path;
    }

    public static OvpnImportResult Import(string text, OvpnFolder? folder = null, string name = "test.ovpn") =>
        OvpnImporter.Import(name, Encoding.UTF8.GetBytes(text), folder);

    /// <summary>Pins each remote of a profile to a documentation address of its family.</summary>
    public static OpenVpnEgressSettings Settings(OvpnProfile profile, string runtimeDirectory = "/run/galaxy/ovpn-test") =>
        new(
            "glx-t0",
            71,
            Path.Combine(runtimeDirectory, "mgmt.sock"),
            runtimeDirectory,
            [.. profile.Remotes.Select((remote, index) => new PinnedRemote(
                remote.IpVersion == 6 || remote.Host.Contains(':', StringComparison.Ordinal)
                    ? IPAddress.Parse($"2001:db8::{index + 1:x}")
                    : IPAddress.Parse($"192.0.2.{index + 1}"),
                remote.Port,
                remote.Transport,
                index))]);

    public static string Describe(OvpnImportResult result) =>
        string.Join("\n", result.Diagnostics.Select(d => d.ToString()));

    /// <summary>Every directive name in a generated configuration, connection blocks included, read back by the parser.</summary>
    public static ImmutableArray<OvpnDirective> ReadBack(string config, out ImmutableArray<OvpnDiagnostic> errors)
    {
        var parsed = OvpnParser.Parse("generated.conf", Encoding.UTF8.GetBytes(config));
        errors = parsed.Errors;
        return [.. parsed.Directives.SelectMany(d => d.IsConnectionBlock ? d.Block.Prepend(d) : [d])];
    }
}

/// <summary>A temporary folder removed at the end of a test.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("galaxy-ovpn-").FullName;
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
