using Galaxy.Agent.Config;

namespace Galaxy.Agent.Tests.Config;

/// <summary>The <c>credentials</c> file of socks5 and http egresses: read at load, refused with file, line and reason.</summary>
public sealed class ProxyCredentialsConfigTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-proxy-credentials-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("socks5")]
    [InlineData("http")]
    public void A_credentials_file_next_to_the_config_gives_the_user_and_password(string kind)
    {
        File.WriteAllText(Path.Combine(_folder, "proxy.pass"), "alice\r\nsecret with spaces: ok\n\n");
        var config = Load(Proxy(kind, "credentials = \"proxy.pass\""));

        var proxy = Assert.IsType<ProxyEgressConfig>(config.Egresses.Single());
        Assert.Equal("alice", proxy.Credentials!.Username);
        Assert.Equal("secret with spaces: ok", proxy.Credentials.Password);
        Assert.DoesNotContain("secret", proxy.Credentials.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_credentials_the_proxy_has_none()
    {
        var proxy = Assert.IsType<ProxyEgressConfig>(Load(Proxy("socks5", "")).Egresses.Single());
        Assert.Null(proxy.Credentials);
    }

    [Theory]
    [InlineData("alice\n", "must hold 2 lines (user name, then password), found 1")]
    [InlineData("alice\nsecret\nthird\n", "must hold 2 lines (user name, then password), found 3")]
    [InlineData("\nsecret\n", "line 1: the user name is empty")]
    [InlineData("al:ice\nsecret\n", "line 1: the user name may not contain ':'")]
    [InlineData("alice\nsec\u0001ret\n", "line 2: the password contains a control character")]
    public void A_malformed_credentials_file_is_refused_with_the_line_of_the_key_and_why(string content, string reason)
    {
        File.WriteAllText(Path.Combine(_folder, "proxy.pass"), content);
        var e = Assert.Throws<ConfigException>(() => Load(Proxy("socks5", "credentials = \"proxy.pass\"")));

        var error = Assert.Single(e.Errors);
        Assert.Equal(9, error.Line);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_longer_than_SOCKS5_allows_is_refused()
    {
        File.WriteAllText(Path.Combine(_folder, "proxy.pass"), "alice\n" + new string('p', 256) + "\n");
        var e = Assert.Throws<ConfigException>(() => Load(Proxy("socks5", "credentials = \"proxy.pass\"")));
        Assert.Contains("line 2: the password is 256 bytes, more than SOCKS5 allows (255)", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_credentials_file_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => Load(Proxy("http", "credentials = \"absent.pass\"")));
        var error = Assert.Single(e.Errors);
        Assert.Equal(9, error.Line);
        Assert.Contains($"credentials file {Path.Combine(_folder, "absent.pass")}: does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_in_the_address_is_refused_and_points_at_credentials()
    {
        var e = Assert.Throws<ConfigException>(() => Load("""
            [[egress]]
            name = "proxy"
            type = "socks5"
            address = "socks5://alice:secret@192.0.2.10:1080"
            """));
        var error = Assert.Single(e.Errors);
        Assert.Equal(8, error.Line);
        Assert.Contains("put them in a file named by 'credentials'", error.Message, StringComparison.Ordinal);
    }

    private static string Proxy(string kind, string extra) => $"""
        [[egress]]
        name = "proxy"
        type = "{kind}"
        address = "192.0.2.10:1080"
        {extra}
        """;

    private GalaxyConfig Load(string egress)
    {
        var path = Path.Combine(_folder, "galaxy.toml");
        File.WriteAllText(path, $"""
            [router]
            lan = ["lan0"]
            wan = "wan0"

            {egress}
            """);
        return ConfigLoader.LoadFile(path);
    }
}
