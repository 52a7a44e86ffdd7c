using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Tunnels.OpenVpn.Supervision;

/// <summary>
/// The two ends of a test OpenVPN link, made as a user makes them: <c>galaxy vps openvpn</c> (the published
/// binary) writes the CA, the server's and the client's certificates, the tls-crypt key, <c>server.conf</c>
/// and <c>lab.ovpn</c>. A second run (another CA) gives the "rogue" client certificate, which the first
/// server refuses. <c>server.conf</c> is run unchanged; what only the tests need (IPv6, more pushed
/// options, the password check) is added on the server's command line after it, see <see cref="ServerArguments"/>.
/// </summary>
internal sealed class OpenVpnTestPki
{
    public const string Name = "lab";
    public const string ServerAddress = "198.51.100.1";
    public const string ClientAddress = "198.51.100.2";
    public const int Port = 1194;

    /// <summary>The DNS server <c>galaxy vps openvpn --dns</c> makes the server push.</summary>
    public const string TunnelDns = "203.0.113.53";

    /// <summary>The IPv6 DNS server the test server also pushes (argv).</summary>
    public const string TunnelDns6 = "fd00:8::1";

    /// <summary>Pushed routes (argv) that a stock client would install, and Galaxy must not.</summary>
    public const string PushedRoute = "192.0.2.0/24";
    public const string PushedRoute6 = "2001:db8:99::/48";

    public const string UserName = "alice";

    /// <summary>A password with a space, a quote and a backslash: the management escaping must carry them.</summary>
    public const string Password = "p\"w \\ rd";

    private readonly bool _checkPasswords;

    private OpenVpnTestPki(string root, bool checkPasswords)
    {
        Root = root;
        _checkPasswords = checkPasswords;
    }

    /// <summary>The folder of the first <c>galaxy vps openvpn</c> run, unchanged (the server runs from it).</summary>
    public string Directory => Path.Combine(Root, "server");

    /// <summary>The test's folder: both runs' output folders and the profiles made from them.</summary>
    public string Root { get; }

    /// <summary>
    /// The server's argv: <c>server.conf</c> from its folder, as <c>install.sh</c> runs it, then the test's
    /// additions. Options after <c>--config</c> add to the file: an IPv6 pool, a pushed IPv6 DNS server, a
    /// pushed IPv4 and IPv6 route (the file already pushes <c>redirect-gateway def1</c> and the DNS
    /// server), and <c>duplicate-cn</c> so that two egresses with the same profile can be connected at once. The password-checking server also needs a script (<c>auth-user-pass-verify</c> with
    /// <c>script-security 2</c>), which <c>galaxy vps openvpn</c> has no reason to write: it lives outside
    /// the 0700 output folder so that the server, which drops to nobody, can run it.
    /// </summary>
    public ImmutableArray<string> ServerArguments
    {
        get
        {
            var argv = ImmutableArray.CreateBuilder<string>();
            argv.AddRange("openvpn", "--cd", Directory, "--config", "server.conf",
                "--server-ipv6", "fd00:8::/64",
                "--push", "dhcp-option DNS6 " + TunnelDns6,
                "--push", "route 192.0.2.0 255.255.255.0",
                "--push", "route-ipv6 " + PushedRoute6,
                "--duplicate-cn");
            if (_checkPasswords)
            {
                argv.AddRange("--script-security", "2", "--auth-user-pass-verify", PasswordCheck, "via-file");
            }

            return argv.ToImmutable();
        }
    }

    /// <summary>The generated profile as <c>galaxy vps openvpn</c> wrote it: Galaxy's own timer defaults apply.</summary>
    public string GeneratedProfile => Path.Combine(Directory, Name + ".ovpn");

    /// <summary>The generated profile with the test's short timers (see <see cref="TestTimers"/>).</summary>
    public string ClientProfile => Path.Combine(Root, "client.ovpn");

    /// <summary>The good profile with the other run's client certificate and key (another CA): the server refuses it.</summary>
    public string RogueProfile => Path.Combine(Root, "rogue.ovpn");

    /// <summary><see cref="RogueProfile"/> without the test's timers: Galaxy's defaults decide how fast it fails.</summary>
    public string RogueGeneratedProfile => Path.Combine(Root, "rogue-generated.ovpn");

    /// <summary>The good client with <c>auth-user-pass</c>, for a server made with <c>checkPasswords</c>.</summary>
    public string PasswordProfile => Path.Combine(Root, "password.ovpn");

    /// <summary>
    /// Timers a user may set in a profile, short so that the tests are quick; they also show that a profile
    /// overrides Galaxy's defaults (hand-window 15, server-poll-timeout 10): a dead server is given up after
    /// 3 s, a handshake the server never completes after 3 s. The server's keepalive comes from server.conf.
    /// </summary>
    private const string TestTimers = "server-poll-timeout 3\nhand-window 3\n";

    private string PasswordCheck => Path.Combine(Root, "check", "check-password.sh");

    /// <summary>Runs <c>galaxy vps openvpn</c> twice and writes the profiles into <paramref name="directory"/>.</summary>
    /// <param name="checkPasswords">The server also checks user name and password (a via-file script).</param>
    public static async Task<OpenVpnTestPki> WriteAsync(string directory, bool checkPasswords = false)
    {
        System.IO.Directory.CreateDirectory(directory);
        var pki = new OpenVpnTestPki(directory, checkPasswords);
        var other = Path.Combine(directory, "other-ca");
        await Task.WhenAll(GenerateAsync(pki.Directory), GenerateAsync(other)).ConfigureAwait(false);

        var generated = await File.ReadAllTextAsync(pki.GeneratedProfile).ConfigureAwait(false);
        var foreign = await File.ReadAllTextAsync(Path.Combine(other, Name + ".ovpn")).ConfigureAwait(false);
        var rogue = generated;
        foreach (var tag in new[] { "cert", "key" })
        {
            var block = Block(tag).Match(foreign).Value;
            Assert.False(string.IsNullOrEmpty(block), $"no <{tag}> block in the second run's profile:\n{foreign}");
            rogue = Block(tag).Replace(rogue, block.Replace("$", "$$", StringComparison.Ordinal));
        }

        Assert.NotEqual(generated, rogue);
        await File.WriteAllTextAsync(pki.ClientProfile, generated + TestTimers).ConfigureAwait(false);
        await File.WriteAllTextAsync(pki.RogueProfile, rogue + TestTimers).ConfigureAwait(false);
        await File.WriteAllTextAsync(pki.RogueGeneratedProfile, rogue).ConfigureAwait(false);
        await File.WriteAllTextAsync(pki.PasswordProfile, generated + TestTimers + "auth-user-pass\n").ConfigureAwait(false);

        if (checkPasswords)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(pki.PasswordCheck)!);
            await File.WriteAllTextAsync(pki.PasswordCheck, $"#!/bin/sh\n[ \"$(sed -n 1p \"$1\")\" = '{UserName}' ] && [ \"$(sed -n 2p \"$1\")\" = '{Password}' ]\n").ConfigureAwait(false);
            if (OperatingSystem.IsLinux())
            {
                const UnixFileMode Open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
                File.SetUnixFileMode(Path.GetDirectoryName(pki.PasswordCheck)!, Open);
                File.SetUnixFileMode(pki.PasswordCheck, Open);
            }
        }

        return pki;
    }

    private static async Task GenerateAsync(string directory)
    {
        var result = await LabCommand.RunAsync(
            [Artifacts.GalaxyBinary, "vps", "openvpn", "--name", Name, "--endpoint", $"{ServerAddress}:{Port}", "--subnet", "10.8.0.0/24",
                "--dns", TunnelDns, "--proto", "udp", "--out", directory],
            cancellationToken: TestContext.Current.CancellationToken).ConfigureAwait(false);
        Assert.True(result.ExitCode == 0, $"expected galaxy vps openvpn to succeed; {result.Describe()}");
    }

    private static Regex Block(string tag) => new($"<{tag}>\n.*?</{tag}>\n", RegexOptions.Singleline | RegexOptions.CultureInvariant);
}
