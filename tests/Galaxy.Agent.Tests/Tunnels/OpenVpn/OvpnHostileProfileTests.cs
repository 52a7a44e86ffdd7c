using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn;

/// <summary>Profiles that try to run code, touch the router's files or take control: each refused on the right line.</summary>
public sealed class OvpnHostileProfileTests
{
    /// <summary>What issue 5 names as forbidden, written out so that a change to the policy table cannot quietly allow one.</summary>
    private static readonly string[] Forbidden =
    [
        "up", "down", "route-up", "route-pre-down", "ipchange", "tls-verify", "auth-user-pass-verify", "client-connect",
        "client-disconnect", "learn-address", "plugin", "script-security", "iproute", "config", "cd", "chroot", "log",
        "log-append", "status", "writepid", "tmp-dir", "replay-persist", "ifconfig-pool-persist", "management",
        "management-hold", "management-client-user", "management-external-key", "daemon", "mark", "dev-node", "lladdr",
        "route-noexec", "pull-filter", "engine", "providers", "pkcs11-providers", "tls-export-cert", "tls-crypt-v2-verify",
        "syslog", "secret", "http-proxy", "socks-proxy", "server", "mode", "push",
    ];

    /// <summary>
    /// The names above and every rule the policy rejects, each once: most are in both, and xunit skips a
    /// case whose arguments repeat ("Skipping test case with duplicate ID").
    /// </summary>
    public static TheoryData<string> ForbiddenAndEveryRejectedRule =>
        [.. Forbidden.Union(OvpnPolicy.All.Where(r => r.Verdict == OvpnVerdict.Reject).Select(r => r.Name), StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(ForbiddenAndEveryRejectedRule))]
    public void Forbidden_directive_is_rejected_on_its_line_in_every_spelling(string name)
    {
        var line = OvpnSamples.MinimalLineCount + 1;
        string[] spellings =
        [
            $"{name} /tmp/x",
            $"\"{name}\" /tmp/x",
            $"'{name}' \"/tmp/x\"",
            $"--{name} /tmp/x",
            $"\t {name}\t/tmp/x # trailing comment",
            $"{name} /tmp/x\r",
            $"setenv opt {name} /tmp/x",
            $"setenv opt \"{name}\"",
        ];
        foreach (var spelling in spellings)
        {
            AssertRejectedAt(OvpnSamples.Minimal + spelling + "\nverb 3\n", line, name);
        }

        // The same inside a <connection> block (line: the block opens after the minimal profile).
        AssertRejectedAt(OvpnSamples.Minimal + $"<connection>\nremote b.example 1194\n{name} /tmp/x\n</connection>\n", line + 2, name);
    }

    [Fact]
    public void Every_rejected_rule_of_the_policy_names_a_reason()
    {
        Assert.All(OvpnPolicy.All.Where(r => r.Verdict != OvpnVerdict.Allow), r => Assert.False(string.IsNullOrWhiteSpace(r.Reason), r.Name));
    }

    // Tricks: (profile lines after the minimal profile, offending line relative to them, fragment of the message).
    [Theory]
    [InlineData("u\\p /bin/sh", 1, "backslash")]
    [InlineData("UP /bin/sh", 1, "unknown directive")]
    [InlineData("\\\"up\\\" /bin/sh", 1, "unknown directive")]
    [InlineData("verify-x509-name \"CN=x\\\nup /bin/sh\"", 2, "'up /bin/sh\"'")]
    [InlineData("verify-x509-name \"CN=x\\\nup /bin/sh\"", 1, "closing quotation")]
    [InlineData("setenv FOO bar\\\nup /bin/sh", 2, "'up /bin/sh'")]
    [InlineData("verb 3\\\nverb 4", 1, "control character")]
    [InlineData("remote b.example 1194\rup /bin/sh", 1, "carriage return")]
    [InlineData("remote b.example\\ up 1194", 1, "not a host name")]
    [InlineData("<up>\n/bin/sh\n</up>", 1, "<up>: runs a program")]
    [InlineData("<ca>\nAAAA\n</ca>\nup /bin/sh", 4, "script hook")]
    [InlineData("<ca> up", 1, "malformed inline tag")]
    [InlineData("<ca>\nAAAA\n   </ca>up /bin/sh", 3, "text after </ca>")]
    [InlineData("<ca>\nAAAA", 1, "no </ca>")]
    [InlineData("<connection>\nremote b 1\nverb 3", 1, "no </connection>")]
    [InlineData("<connection>\nremote b 1\n<connection>\nremote c 1\n</connection>\n</connection>", 3, "cannot be nested")]
    [InlineData("<connection>\nremote b 1\n<connection>\nremote c 1\n</connection>\n</connection>", 6, "without a matching <connection>")]
    [InlineData("</connection>", 1, "without a matching")]
    [InlineData("<connection>\nremote b 1\nredirect-gateway def1\n</connection>", 3, "not allowed inside a <connection>")]
    [InlineData("<connection>\nremote b 1\nremote c 1\n</connection>", 3, "one remote")]
    [InlineData("<connection>\nnobind\n</connection>", 1, "without a remote")]
    [InlineData("<connection>\nremote b 1\nsetenv opt up /bin/sh\n</connection>", 3, "script hook")]
    [InlineData("setenv opt setenv opt up /bin/sh", 1, "script hook")]
    [InlineData("ignore-unknown-option up\nup /bin/sh", 2, "script hook")]
    [InlineData("auth-user-pass /etc/openvpn/creds", 1, "management interface")]
    [InlineData("<auth-user-pass>\nuser\npass\n</auth-user-pass>", 1, "management interface")]
    [InlineData("askpass /root/pass", 1, "management interface")]
    [InlineData("dev tap0", 1, "only tun")]
    [InlineData("dev-type tap", 1, "only tun")]
    [InlineData("proto tcp-server", 1, "server protocol")]
    [InlineData("remote b.example 99999", 1, "not a port")]
    [InlineData("verb 3 3", 1, "takes 1 argument")]
    [InlineData("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 up", 1, "16 words")]
    [InlineData("ca /etc/ssl/certs/ca-certificates.crt", 1, "no folder")]
    [InlineData("tls-auth ta.key 2", 1, "0 or 1")]
    [InlineData("compress zstd", 1, "unknown compression")]
    public void Smuggling_tricks_are_refused_on_the_right_line(string lines, int relativeLine, string fragment)
    {
        AssertRejectedAt(OvpnSamples.Minimal + lines + "\n", OvpnSamples.MinimalLineCount + relativeLine, fragment);
    }

    [Fact]
    public void A_trailing_comment_hides_nothing_and_nothing_after_it_reaches_the_output()
    {
        var result = OvpnSamples.Import(OvpnSamples.Minimal + "verb 3 ; up /bin/sh\nmute 10 # plugin /x.so\n");
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        var invocation = OpenVpnCommandLine.Build(result.Profile!, OvpnSamples.Settings(result.Profile!));
        Assert.DoesNotContain("/bin/sh", invocation.ConfigText, StringComparison.Ordinal);
        Assert.DoesNotContain("plugin", invocation.ConfigText, StringComparison.Ordinal);
    }

    [Fact]
    public void A_profile_file_name_with_a_newline_cannot_inject_into_the_generated_config()
    {
        var result = OvpnSamples.Import(OvpnSamples.Minimal, name: "evil\nup /bin/sh\n.ovpn");
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        var invocation = OpenVpnCommandLine.Build(result.Profile!, OvpnSamples.Settings(result.Profile!));
        Assert.DoesNotContain("up /bin/sh", invocation.ConfigText, StringComparison.Ordinal);
        Assert.DoesNotContain(invocation.Arguments, a => a.Contains("/bin/sh", StringComparison.Ordinal));
    }

    [Fact]
    public void File_references_leaving_the_folder_are_refused_by_dotdot_absolute_path_and_symlink()
    {
        using var outside = new TempFolder();
        using var temp = new TempFolder();
        var secret = Path.Combine(outside.Path, "secret.pem");
        File.WriteAllText(secret, OvpnSamples.Pem("PRIVATE KEY", 99));
        var profileFolder = Path.Combine(temp.Path, "profile");
        Directory.CreateDirectory(Path.Combine(profileFolder, "keys"));
        File.Copy(secret, Path.Combine(temp.Path, "neighbour.pem"));
        File.CreateSymbolicLink(Path.Combine(profileFolder, "keys", "link.pem"), secret);
        Directory.CreateSymbolicLink(Path.Combine(profileFolder, "linkdir"), outside.Path);
        File.WriteAllText(Path.Combine(profileFolder, "keys", "ok.pem"), OvpnSamples.Pem("CERTIFICATE", 98));

        var text = OvpnSamples.Minimal + string.Join("\n",
            "cert ../neighbour.pem",
            $"key {secret}",
            "extra-certs keys/link.pem",
            "cert linkdir/secret.pem",
            "key keys/../../neighbour.pem",
            "cert keys/missing.pem",
            "cert keys",
            "extra-certs keys/ok.pem",
            string.Empty);
        var folder = OvpnFolder.Open(profileFolder, out var error) ?? throw new InvalidOperationException(error);
        var result = OvpnSamples.Import(text, folder);

        var first = OvpnSamples.MinimalLineCount + 1;
        for (var line = first; line < first + 5; line++)
        {
            Assert.Contains(result.Errors, e => e.Location.Line == line && e.Message.Contains("outside the profile's folder", StringComparison.Ordinal));
        }

        Assert.Contains(result.Errors, e => e.Location.Line == first + 5 && e.Message.Contains("ENOENT", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Location.Line == first + 6 && e.Message.Contains("cannot read", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Diagnostics, e => e.Location.Line == first + 7);
        Assert.Equal(7, result.Errors.Count());
    }

    [Fact]
    public void A_profile_in_the_root_folder_cannot_name_any_file()
    {
        var root = OvpnFolder.Open("/", out _)!;
        var read = root.Read("etc/hostname");
        Assert.Null(read.Content);
        Assert.Contains("profile in /", read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fifo_in_the_folder_does_not_stall_the_import()
    {
        using var temp = new TempFolder();
        var fifo = Path.Combine(temp.Path, "ca.crt");
        var made = System.Diagnostics.Process.Start("mkfifo", [fifo]);
        made.WaitForExit();
        Assert.Equal(0, made.ExitCode);
        var folder = OvpnFolder.Open(temp.Path, out _)!;

        var result = OvpnSamples.Import("client\nremote a 1\nauth-user-pass\nca ca.crt\n", folder);
        Assert.True(result.IsImportable, OvpnSamples.Describe(result)); // an empty CA: OpenVPN will say so; the import did not hang
    }

    private static void AssertRejectedAt(string text, int line, string fragment)
    {
        var result = OvpnSamples.Import(text);
        Assert.False(result.IsImportable, $"expected a refusal at line {line} ({fragment}) for:\n{text}\nbut it was accepted:\n{OvpnSamples.Describe(result)}");
        Assert.Null(result.Profile);
        Assert.True(
            result.Errors.Any(e => e.Location.Line == line && e.Message.Contains(fragment, StringComparison.Ordinal)),
            $"expected an error at line {line} mentioning «{fragment}» for:\n{text}\ngot:\n{OvpnSamples.Describe(result)}");
    }
}
