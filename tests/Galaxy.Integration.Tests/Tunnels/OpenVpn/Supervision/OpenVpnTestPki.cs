using System.Text;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Tunnels.OpenVpn.Supervision;

/// <summary>
/// A throw-away PKI and the two configurations of a test OpenVPN link, made with the openssl CLI (EC
/// P-256, valid two days): a CA, a server certificate, a client certificate from that CA, a "rogue" client
/// certificate from another CA (which the server refuses), a tls-crypt key, a server.conf and client
/// profiles with everything inline. Kept in this one file so it can be swapped for
/// <c>galaxy vps openvpn</c> once that lands.
/// </summary>
internal sealed class OpenVpnTestPki
{
    public const string ServerAddress = "198.51.100.1";
    public const string ClientAddress = "198.51.100.2";
    public const int Port = 1194;
    public const string TunnelDns = "10.8.0.1";
    public const string TunnelDns6 = "fd00:8::1";
    public const string UserName = "alice";

    /// <summary>A password with a space, a quote and a backslash: the management escaping must carry them.</summary>
    public const string Password = "p\"w \\ rd";

    private OpenVpnTestPki(string directory) => Directory = directory;

    public string Directory { get; }

    public string ServerConfig => Path.Combine(Directory, "server.conf");

    /// <summary>The good client's profile.</summary>
    public string ClientProfile => Path.Combine(Directory, "client.ovpn");

    /// <summary>A client whose certificate another CA signed: the server refuses it.</summary>
    public string RogueProfile => Path.Combine(Directory, "rogue.ovpn");

    /// <summary>The good client with <c>auth-user-pass</c>, for <see cref="WriteAsync"/> with a password check.</summary>
    public string PasswordProfile => Path.Combine(Directory, "password.ovpn");

    /// <summary>Makes the PKI and writes the configurations into <paramref name="directory"/>.</summary>
    /// <param name="checkPasswords">The server also checks user name and password (a via-file script).</param>
    public static async Task<OpenVpnTestPki> WriteAsync(string directory, bool checkPasswords = false)
    {
        System.IO.Directory.CreateDirectory(directory);
        var pki = new OpenVpnTestPki(directory);
        await pki.SelfSignedAsync("ca").ConfigureAwait(false);
        await pki.SelfSignedAsync("rogue-ca").ConfigureAwait(false);
        await pki.IssueAsync("server", "ca", "serverAuth").ConfigureAwait(false);
        await pki.IssueAsync("client", "ca", "clientAuth").ConfigureAwait(false);
        await pki.IssueAsync("rogue", "rogue-ca", "clientAuth").ConfigureAwait(false);
        await RunAsync("openvpn", "--genkey", "tls-crypt", pki.File("tc.key")).ConfigureAwait(false);

        var server = new StringBuilder()
            .Append("port ").Append(Port).Append('\n')
            .Append("proto udp4\ndev tun\ntopology subnet\n")
            .Append("server 10.8.0.0 255.255.255.0\nserver-ipv6 fd00:8::/64\n")
            .Append("ca ").Append(pki.File("ca.crt")).Append('\n')
            .Append("cert ").Append(pki.File("server.crt")).Append('\n')
            .Append("key ").Append(pki.File("server.key")).Append('\n')
            .Append("tls-crypt ").Append(pki.File("tc.key")).Append('\n')
            .Append("dh none\nkeepalive 1 4\nexplicit-exit-notify 1\nduplicate-cn\nverb 3\n")
            .Append("push \"dhcp-option DNS ").Append(TunnelDns).Append("\"\n")
            .Append("push \"dhcp-option DNS6 ").Append(TunnelDns6).Append("\"\n")
            .Append("push \"redirect-gateway def1\"\npush \"route 192.0.2.0 255.255.255.0\"\n");
        if (checkPasswords)
        {
            var check = pki.File("check-password.sh");
            await System.IO.File.WriteAllTextAsync(check, $"#!/bin/sh\n[ \"$(sed -n 1p \"$1\")\" = '{UserName}' ] && [ \"$(sed -n 2p \"$1\")\" = '{Password}' ]\n").ConfigureAwait(false);
            if (OperatingSystem.IsLinux())
            {
                System.IO.File.SetUnixFileMode(check, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            server.Append("script-security 2\nauth-user-pass-verify ").Append(check).Append(" via-file\n");
        }

        await System.IO.File.WriteAllTextAsync(pki.ServerConfig, server.ToString()).ConfigureAwait(false);
        await System.IO.File.WriteAllTextAsync(pki.ClientProfile, pki.Profile("client", passwords: false)).ConfigureAwait(false);
        await System.IO.File.WriteAllTextAsync(pki.RogueProfile, pki.Profile("rogue", passwords: false)).ConfigureAwait(false);
        await System.IO.File.WriteAllTextAsync(pki.PasswordProfile, pki.Profile("client", passwords: true)).ConfigureAwait(false);
        return pki;
    }

    /// <summary>
    /// A client profile as a user would get it. Timers are short so that tests are quick: a dead server is
    /// given up after 3 s (server-poll-timeout), a handshake the server never completes after 3 s
    /// (hand-window), and the server's keepalive comes from server.conf.
    /// </summary>
    private string Profile(string name, bool passwords) =>
        $"""
        client
        dev tun
        remote {ServerAddress} {Port} udp
        nobind
        remote-cert-tls server
        server-poll-timeout 3
        hand-window 3
        {(passwords ? "auth-user-pass" : string.Empty)}
        <ca>
        {Read("ca.crt")}</ca>
        <cert>
        {Read(name + ".crt")}</cert>
        <key>
        {Read(name + ".key")}</key>
        <tls-crypt>
        {Read("tc.key")}</tls-crypt>

        """;

    private string File(string name) => Path.Combine(Directory, name);

    private string Read(string name) => System.IO.File.ReadAllText(File(name));

    private Task<CommandResult> SelfSignedAsync(string name) =>
        RunAsync("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", File(name + ".key"), "-out", File(name + ".crt"), "-days", "2", "-subj", "/CN=" + name);

    private async Task IssueAsync(string name, string ca, string usage)
    {
        var extensions = File(name + ".ext");
        await System.IO.File.WriteAllTextAsync(extensions, $"basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage={usage}\n").ConfigureAwait(false);
        await RunAsync("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", File(name + ".key"), "-out", File(name + ".csr"), "-subj", "/CN=" + name).ConfigureAwait(false);
        await RunAsync("openssl", "x509", "-req", "-in", File(name + ".csr"), "-CA", File(ca + ".crt"), "-CAkey", File(ca + ".key"),
            "-CAcreateserial", "-out", File(name + ".crt"), "-days", "2", "-extfile", extensions).ConfigureAwait(false);
    }

    private static Task<CommandResult> RunAsync(params string[] argv) =>
        LabCommand.RunCheckedAsync(argv, cancellationToken: TestContext.Current.CancellationToken);
}
