using Galaxy.Agent.Provisioning.OpenVpn;

namespace Galaxy.Agent.Tests.Provisioning.OpenVpn;

public sealed class TlsCryptKeyTests
{
    [Fact]
    public void A_key_is_16_lines_of_32_hex_digits_between_the_static_key_V1_markers()
    {
        var text = TlsCryptKey.Generate();
        var lines = text.Split('\n');
        var begin = Array.IndexOf(lines, "-----BEGIN OpenVPN Static key V1-----");
        var end = Array.IndexOf(lines, "-----END OpenVPN Static key V1-----");
        Assert.True(begin >= 0 && end == begin + 17, $"expected the markers 17 lines apart, saw BEGIN at {begin} and END at {end}:\n{text}");
        var body = lines[(begin + 1)..end];
        Assert.All(body, line => Assert.Matches("^[0-9a-f]{32}$", line));
        Assert.Equal(256, Convert.FromHexString(string.Concat(body)).Length);
        Assert.All(lines[..begin], line => Assert.StartsWith("#", line, StringComparison.Ordinal));
        Assert.Equal(string.Empty, lines[^1]);
    }

    [Fact]
    public void Formatting_writes_the_bytes_in_order()
    {
        var key = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var lines = TlsCryptKey.Format(key).Split('\n');
        var begin = Array.IndexOf(lines, TlsCryptKey.BeginLine);
        Assert.Equal("000102030405060708090a0b0c0d0e0f", lines[begin + 1]);
        Assert.Equal("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", lines[begin + 16]);
    }

    [Fact]
    public void Two_keys_differ_and_a_key_of_the_wrong_size_is_refused()
    {
        Assert.NotEqual(TlsCryptKey.Generate(), TlsCryptKey.Generate());
        var error = Assert.Throws<ArgumentException>(() => TlsCryptKey.Format(new byte[128]));
        Assert.Contains("256 bytes, not 128", error.Message, StringComparison.Ordinal);
    }
}
