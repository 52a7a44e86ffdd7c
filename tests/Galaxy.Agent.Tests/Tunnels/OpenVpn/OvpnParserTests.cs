using System.Text;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn;

public sealed class OvpnParserTests
{
    // Each row: one line as written, and the words OpenVPN 2.6's parse_line makes of it ("|"-joined),
    // or null when OpenVPN refuses the line. Rows marked (oracle) were checked against openvpn 2.6.14.
    [Theory]
    [InlineData("remote host 1194 udp", "remote|host|1194|udp")]
    [InlineData("  \tverb\t3  ", "verb|3")]
    [InlineData("verb 3 # trailing comment", "verb|3")]
    [InlineData("verb 3 ; trailing comment", "verb|3")]
    [InlineData("verb 3#not-a-comment", "verb|3#not-a-comment")] // (oracle: foo#bar is one word)
    [InlineData("# whole line", "")]
    [InlineData("; whole line", "")]
    [InlineData("\\# still a comment", "")] // the comment test in parse_line ignores a pending backslash
    [InlineData("verify-x509-name \"CN=a b\" name", "verify-x509-name|CN=a b|name")]
    [InlineData("x \"a\\\"b\"", "x|a\"b")]
    [InlineData("x \"a\\\\b\"", "x|a\\b")]
    [InlineData("x a\\ b", "x|a b")]
    [InlineData("x 'a\\b \"c'", "x|a\\b \"c")]
    [InlineData("\"pe\"rsist-key", "pe|rsist-key")] // (oracle: a closing quote ends the word)
    [InlineData("x \"\"", "x|")]
    [InlineData("\\\"up\\\"", "\"up\"")]
    [InlineData("u\\p x", null)] // (oracle: Bad backslash usage)
    [InlineData("x \"a\\nb\"", null)]
    [InlineData("x \"unterminated", null)]
    [InlineData("x 'unterminated", null)]
    [InlineData("x \\'a'", null)]
    public void Lines_are_split_into_words_as_OpenVPN_splits_them(string line, string? expected)
    {
        var words = new List<string>();
        var error = OvpnParser.Tokenize(line + "\n", words);
        if (expected is null)
        {
            Assert.True(error is not null, $"expected OpenVPN to refuse «{line}», got words [{string.Join("|", words)}]");
            return;
        }

        Assert.True(error is null, $"expected «{line}» to parse, got: {error}");
        Assert.Equal(expected, string.Join("|", words));
    }

    [Fact]
    public void A_trailing_backslash_escapes_the_newline_into_the_word_and_continues_nothing()
    {
        var result = Parse("setenv X foo\\\nup /bin/sh\n");
        Assert.Empty(result.Errors);
        Assert.Equal(["setenv", "up"], result.Directives.Select(d => d.Name));
        Assert.Equal("foo\n", result.Directives[0].Arguments[1]);
        Assert.Equal(2, result.Directives[1].Location.Line);
    }

    [Fact]
    public void Crlf_byte_order_mark_and_double_dash_are_read_like_OpenVPN()
    {
        byte[] bom = [0xEF, 0xBB, 0xBF];
        var bytes = bom.Concat(Encoding.UTF8.GetBytes("--client\r\n--verb 3\r\n-- x\r\n")).ToArray();
        var result = OvpnParser.Parse("p.ovpn", bytes);
        Assert.Empty(result.Errors);
        Assert.Equal(["client", "verb", "--"], result.Directives.Select(d => d.Name));
        Assert.Equal(["3"], result.Directives[1].Arguments);
    }

    [Fact]
    public void Inline_blocks_keep_their_text_and_lines_after_them_keep_their_numbers()
    {
        var result = Parse("client\n<ca>\nAAA\r\n  BBB\n</ca>\n\"<cert>\"\nCCC\n  </cert>\nverb 3\n");
        Assert.Empty(result.Errors);
        Assert.Equal(["client", "ca", "cert", "verb"], result.Directives.Select(d => d.Name));
        Assert.Equal("AAA\n  BBB\n", result.Directives[1].Inline);
        Assert.Equal("CCC\n", result.Directives[2].Inline);
        Assert.Equal([1, 2, 6, 9], result.Directives.Select(d => d.Location.Line));
    }

    [Fact]
    public void Connection_blocks_hold_their_directives_with_their_own_lines()
    {
        var result = Parse("client\n<connection>\nremote a 1\n# note\nnobind\n</connection>\n");
        Assert.Empty(result.Errors);
        var block = Assert.Single(result.Directives, d => d.IsConnectionBlock);
        Assert.Equal(["remote", "nobind"], block.Block.Select(d => d.Name));
        Assert.Equal([3, 5], block.Block.Select(d => d.Location.Line));
    }

    [Fact]
    public void Every_structural_error_is_reported_with_its_line()
    {
        var text = "client\nx \"open\nu\\p\n</ca>\n<connection>\nremote a\n<connection>\nremote b\n</connection>\n</connection>\n<key>\nnever closed\n";
        var result = Parse(text);
        var lines = result.Errors.Select(e => (e.Location.Line, e.Message)).ToArray();
        Assert.Contains(lines, e => e.Line == 2 && e.Message.Contains("closing quotation", StringComparison.Ordinal));
        Assert.Contains(lines, e => e.Line == 3 && e.Message.Contains("backslash", StringComparison.Ordinal));
        Assert.Contains(lines, e => e.Line == 4 && e.Message.Contains("without a matching <ca>", StringComparison.Ordinal));
        Assert.Contains(lines, e => e.Line == 7 && e.Message.Contains("cannot be nested", StringComparison.Ordinal));
        Assert.Contains(lines, e => e.Line == 10 && e.Message.Contains("without a matching <connection>", StringComparison.Ordinal));
        Assert.Contains(lines, e => e.Line == 11 && e.Message.Contains("no </key>", StringComparison.Ordinal));
        Assert.Equal(6, lines.Length);
    }

    [Fact]
    public void Text_after_a_closing_tag_is_an_error_not_silently_dropped()
    {
        var result = Parse("<ca>\nAAA\n</ca> up /bin/sh\n");
        var error = Assert.Single(result.Errors);
        Assert.Equal(3, error.Location.Line);
        Assert.Contains("text after </ca>", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_longer_than_OpenVPN_reads_are_refused_also_inside_blocks()
    {
        // OpenVPN 2.6.14 (oracle): 253 bytes of text read fine, 254 are "Maximum option line length exceeded".
        var ok = "verb " + new string(' ', 247) + "3";
        Assert.Equal(253, ok.Length);
        Assert.Empty(Parse(ok + "\n").Errors);

        var result = Parse($"{ok} \n<ca>\n{new string('A', 300)}\n</ca>\n");
        Assert.Equal([1, 3], result.Errors.Select(e => e.Location.Line));
    }

    [Fact]
    public void Binary_content_nul_bytes_and_lone_carriage_returns_are_errors_on_their_lines()
    {
        byte[] content = [.. "client\n"u8, .. "verb 3\0\n"u8, 0xFF, 0xFE, (byte)'\n', .. "remote a 1194\rup /x\n"u8, .. "verb 4\n"u8];
        var result = OvpnParser.Parse("bin.ovpn", content);
        Assert.Equal([2, 3, 4], result.Errors.Select(e => e.Location.Line));
        Assert.Equal(["client", "verb"], result.Directives.Select(d => d.Name));
        Assert.Equal(5, result.Directives[1].Location.Line);
    }

    [Fact]
    public void Oversize_files_are_refused_before_parsing()
    {
        var result = OvpnParser.Parse("big.ovpn", new byte[OvpnParser.MaxFileBytes + 1]);
        var error = Assert.Single(result.Errors);
        Assert.Contains("larger than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Words_past_the_sixteenth_are_an_error_instead_of_being_dropped()
    {
        var sixteen = string.Join(' ', Enumerable.Range(0, 16).Select(i => $"w{i}"));
        Assert.Empty(Parse(sixteen + " # comment\n").Errors);
        var error = Assert.Single(Parse(sixteen + " up\n").Errors);
        Assert.Contains("16 words", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Thousands_of_errors_are_capped_with_a_summary_line()
    {
        var result = Parse(string.Concat(Enumerable.Repeat("x \"open\n", 2000)));
        Assert.Equal(OvpnParser.MaxErrors + 1, result.Errors.Length);
        Assert.Contains("more errors", result.Errors[^1].Message, StringComparison.Ordinal);
    }

    private static OvpnParseResult Parse(string text) => OvpnParser.Parse("p.ovpn", Encoding.UTF8.GetBytes(text));
}
