using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn;

public sealed class OvpnImporterTests
{
    private static readonly string[] InlineTags = ["ca", "cert", "key", "extra-certs", "tls-crypt-v2", "crl-verify", "peer-fingerprint"];

    [Fact]
    public void A_commercial_profile_with_inline_material_is_accepted_with_warnings_for_what_Galaxy_owns()
    {
        var result = OvpnSamples.Import(OvpnSamples.Commercial);
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        var profile = result.Profile!;

        Assert.Equal(["nl1.vpn.example.net 1194 udp", "nl2.vpn.example.net 1194 udp"], profile.Remotes.Select(r => r.ToString()));
        Assert.Equal([24, 25, 26], result.Warnings.Select(w => w.Location.Line));
        Assert.All(result.Warnings, w => Assert.Matches("Galaxy owns (routing|DNS)", w.Message));
        Assert.True(profile.NeedsCredentials);
        Assert.False(profile.UsesConnectionBlocks);

        var names = profile.Directives.Select(d => d.Name).ToArray();
        Assert.Equal(
            ["client", "remote-random", "resolv-retry", "persist-key", "remote-cert-tls", "verify-x509-name", "auth-user-pass", "auth-nocache",
             "cipher", "data-ciphers", "auth", "tls-version-min", "reneg-sec", "keepalive", "tun-mtu", "mssfix", "verb", "mute",
             "key-direction", "ca", "cert", "key", "tls-auth"],
            names);
        var ca = profile.Directives.Single(d => d.Name == "ca");
        Assert.Equal(OvpnSamples.Pem("CERTIFICATE", 1), ca.Inline);
        Assert.Equal(30, ca.Location.Line);
    }

    [Fact]
    public void A_profile_naming_files_in_its_folder_gets_them_as_inline_material()
    {
        using var temp = new TempFolder();
        var path = OvpnSamples.WriteFolderProfile(temp.Path);

        var result = OvpnImporter.ImportFile(path);
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        var profile = result.Profile!;

        Assert.Equal("203.0.113.10 443 tcp", Assert.Single(profile.Remotes).ToString());
        Assert.Equal(OvpnSamples.Pem("CERTIFICATE", 11), profile.Directives.Single(d => d.Name == "ca").Inline);
        Assert.Equal(OvpnSamples.Pem("CERTIFICATE", 12), profile.Directives.Single(d => d.Name == "cert").Inline); // CRLF file, LF material
        Assert.Equal(OvpnSamples.StaticKey(14), profile.Directives.Single(d => d.Name == "tls-auth").Inline);
        Assert.All(profile.Directives.Where(d => d.Name is "ca" or "cert" or "key" or "tls-auth"), d => Assert.Empty(d.Arguments));

        // "tls-auth ta.key 1" became an inline block, which takes its direction from key-direction.
        Assert.Equal(["1"], profile.Directives.Single(d => d.Name == "key-direction").Arguments);
        Assert.False(profile.NeedsCredentials);
    }

    [Fact]
    public void Every_accepted_inline_block_is_kept_and_a_binary_pkcs12_file_becomes_base64()
    {
        using var temp = new TempFolder();
        var pkcs12 = new byte[300];
        new Random(3).NextBytes(pkcs12);
        File.WriteAllBytes(Path.Combine(temp.Path, "client.p12"), pkcs12);
        var folder = OvpnFolder.Open(temp.Path, out _)!;
        var text = "client\nremote a.example 1194\n" + string.Concat(
            InlineTags.Select((tag, i) => $"<{tag}>\n{OvpnSamples.Pem("X", 40 + i, 1)}</{tag}>\n")) + "pkcs12 client.p12\n";

        var result = OvpnSamples.Import(text, folder);
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        var kept = result.Profile!.Directives;
        Assert.Equal(["client", "ca", "cert", "key", "extra-certs", "tls-crypt-v2", "crl-verify", "peer-fingerprint", "pkcs12"], kept.Select(d => d.Name));
        Assert.Equal(pkcs12, Convert.FromBase64String(kept[^1].Inline!.Replace("\n", string.Empty, StringComparison.Ordinal)));
        Assert.All(kept[^1].Inline!.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.True(l.Length <= 64));
    }

    [Fact]
    public void Text_material_with_a_line_that_would_close_its_block_is_refused()
    {
        using var temp = new TempFolder();
        File.WriteAllText(Path.Combine(temp.Path, "ca.crt"), "AAAA\n</ca>\nup /bin/sh\n");
        File.WriteAllText(Path.Combine(temp.Path, "bin.key"), "AAAA\u0000BBBB\n");
        File.WriteAllText(Path.Combine(temp.Path, "long.crt"), new string('A', 300) + "\n");
        var folder = OvpnFolder.Open(temp.Path, out _)!;

        var result = OvpnSamples.Import("client\nremote a 1\nauth-user-pass\nca ca.crt\nkey bin.key\ncert long.crt\n", folder);
        Assert.Contains(result.Errors, e => e.Location.Line == 4 && e.Message.Contains("would close the </ca> block", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Location.Line == 5 && e.Message.Contains("control character", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Location.Line == 6 && e.Message.Contains("longer than", StringComparison.Ordinal));
    }

    [Fact]
    public void A_profile_reached_through_a_symlink_reads_files_from_the_folder_it_really_lives_in()
    {
        using var temp = new TempFolder();
        var path = OvpnSamples.WriteFolderProfile(Path.Combine(temp.Path, "real"));
        var link = Path.Combine(temp.Path, "link.ovpn");
        File.CreateSymbolicLink(link, path);

        var result = OvpnImporter.ImportFile(link);
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        Assert.Equal(OvpnSamples.Pem("CERTIFICATE", 11), result.Profile!.Directives.Single(d => d.Name == "ca").Inline);
    }

    [Fact]
    public void Connection_blocks_give_one_remote_each_with_inherited_protocol_and_their_own_options()
    {
        var result = OvpnSamples.Import(OvpnSamples.Connections);
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        var profile = result.Profile!;

        Assert.True(profile.UsesConnectionBlocks);
        Assert.Equal(
            ["a.vpn.example.org 1194 udp", "b.vpn.example.org 443 tcp", "2001:db8::10 1195 udp"],
            profile.Remotes.Select(r => r.ToString()));
        Assert.Equal(6, profile.Remotes[2].IpVersion);
        Assert.Equal([5, 10, 14], profile.Remotes.Select(r => r.Location.Line));
        Assert.Equal(["explicit-exit-notify", "connect-timeout"], profile.Remotes[0].ConnectionOptions.Select(d => d.Name));
        Assert.Equal(["connect-retry"], profile.Remotes[1].ConnectionOptions.Select(d => d.Name));
        Assert.Empty(profile.Remotes[2].ConnectionOptions);
    }

    [Fact]
    public void Top_level_remotes_next_to_connection_blocks_are_ignored_as_OpenVPN_ignores_them()
    {
        // openvpn 2.6.14 --verb 4 lists only the block's remote in "Connection profiles" (oracle).
        var result = OvpnSamples.Import(OvpnSamples.Minimal + "<connection>\nremote b.example 443 tcp\n</connection>\n");
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        Assert.Equal("b.example 443 tcp", Assert.Single(result.Profile!.Remotes).ToString());
        Assert.Contains(result.Warnings, w => w.Location.Line == 2 && w.Message.Contains("<connection> blocks", StringComparison.Ordinal));
    }

    [Fact]
    public void Protocol_and_port_after_a_connection_block_do_not_reach_it()
    {
        var result = OvpnSamples.Import("client\nauth-user-pass\n<connection>\nremote a 1\n</connection>\nproto tcp\nport 443\n<connection>\nremote b\n</connection>\n");
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        Assert.Equal(["a 1 udp", "b 443 tcp"], result.Profile!.Remotes.Select(r => r.ToString()));
    }

    [Theory]
    [InlineData("redirect-gateway def1 bypass-dhcp", "routing")]
    [InlineData("redirect-private", "routing")]
    [InlineData("route 10.0.0.0 255.0.0.0", "routing")]
    [InlineData("route-ipv6 2000::/3", "routing")]
    [InlineData("route-gateway 10.8.0.1", "routing")]
    [InlineData("route-metric 5", "routing")]
    [InlineData("route-delay 2", "routing")]
    [InlineData("route-nopull", "routing")]
    [InlineData("dhcp-option DNS 10.8.0.1", "DNS")]
    [InlineData("dns server 1 address 10.8.0.1", "DNS")]
    [InlineData("block-outside-dns", "DNS")]
    [InlineData("setenv opt block-outside-dns", "DNS")]
    [InlineData("register-dns", "DNS")]
    [InlineData("ifconfig 10.8.0.2 10.8.0.1", "addressing")]
    [InlineData("ifconfig-ipv6 fd00::2/64 fd00::1", "addressing")]
    [InlineData("user nobody", "user")]
    [InlineData("group nogroup", "group")]
    [InlineData("auth-retry interact", "auth-retry none")]
    [InlineData("allow-compression yes", "VORACLE")]
    [InlineData("setenv CLIENT_CERT 0", "scripts")]
    [InlineData("setenv opt some-future-option 1", "ignore")]
    [InlineData("up-restart", "scripts")]
    [InlineData("local 192.0.2.9", "local socket")]
    [InlineData("machine-readable-output", "output")]
    public void Galaxy_owned_directives_are_warnings_and_never_reach_the_output(string line, string fragment)
    {
        var lineNumber = OvpnSamples.MinimalLineCount + 1;
        var result = OvpnSamples.Import(OvpnSamples.Minimal + line + "\n");
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(lineNumber, warning.Location.Line);
        Assert.Contains(fragment, warning.Message, StringComparison.Ordinal);

        var invocation = OpenVpnCommandLine.Build(result.Profile!, OvpnSamples.Settings(result.Profile!));
        var word = line.Split(' ')[0] == "setenv" ? line.Split(' ')[^1] : line.Split(' ')[0];
        var written = OvpnSamples.ReadBack(invocation.ConfigText, out _).Select(d => d.Name);
        Assert.DoesNotContain(word, written);
        Assert.DoesNotContain(line, invocation.ConfigText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("comp-lzo", true)]
    [InlineData("comp-lzo no", false)]
    [InlineData("compress lz4-v2", true)]
    [InlineData("compress stub-v2", false)]
    [InlineData("compress", false)]
    public void Compression_is_accepted_with_a_VORACLE_warning_only_when_it_compresses(string line, bool warned)
    {
        var result = OvpnSamples.Import(OvpnSamples.Minimal + line + "\n");
        Assert.True(result.IsImportable, OvpnSamples.Describe(result));
        Assert.Equal(warned, result.Warnings.Any(w => w.Message.Contains("VORACLE", StringComparison.Ordinal)));
        Assert.Contains(result.Profile!.Directives, d => d.Name == line.Split(' ')[0]);
    }

    [Fact]
    public void Unknown_directives_fail_closed_unless_named_by_ignore_unknown_option()
    {
        var refused = OvpnSamples.Import(OvpnSamples.Minimal + "frobnicate 1\n");
        Assert.Contains(refused.Errors, e => e.Message.Contains("unknown directive", StringComparison.Ordinal));

        var ignored = OvpnSamples.Import(OvpnSamples.Minimal + "ignore-unknown-option frobnicate\nfrobnicate 1\n");
        Assert.True(ignored.IsImportable, OvpnSamples.Describe(ignored));
        Assert.DoesNotContain(ignored.Profile!.Directives, d => d.Name is "frobnicate" or "ignore-unknown-option");
    }

    [Fact]
    public void A_profile_without_client_mode_or_remote_is_refused_at_line_one()
    {
        var result = OvpnSamples.Import("verb 3\n");
        Assert.Equal(2, result.Errors.Count(e => e.Location.Line == 1));
    }

    [Fact]
    public void An_unreadable_profile_is_reported_on_line_zero()
    {
        var result = OvpnImporter.ImportFile("/nonexistent/galaxy/profile.ovpn");
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(0, error.Location.Line);
        Assert.Contains("ENOENT", error.Message, StringComparison.Ordinal);
    }
}
