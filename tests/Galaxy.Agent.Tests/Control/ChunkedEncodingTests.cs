using System.Text;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Tests.Control;

public sealed class ChunkedEncodingTests
{
    [Fact]
    public void A_line_becomes_one_chunk_with_its_hex_length()
    {
        Assert.Equal("e\r\n{\"event\":\"x\"}\n\r\n", Encoding.UTF8.GetString(ChunkedEncoding.Chunk("{\"event\":\"x\"}\n")));
        Assert.Equal("0\r\n\r\n", Encoding.ASCII.GetString(ChunkedEncoding.LastChunk));
    }

    [Fact]
    public void Chunks_read_back_one_by_one_with_extensions_and_trailers_skipped()
    {
        var body = Encoding.ASCII.GetBytes("3;name=v\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n");
        var at = 0;
        var parts = new List<string>();
        ChunkStatus status;
        while ((status = ChunkedEncoding.TryRead(body.AsSpan(at), out var data, out var consumed)) == ChunkStatus.Chunk)
        {
            parts.Add(Encoding.ASCII.GetString(body.AsSpan(at)[data]));
            at += consumed;
        }

        Assert.Equal(ChunkStatus.End, status);
        Assert.Equal(["abc", "0123456789"], parts);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("5\r\nabc")]
    [InlineData("5\r\nabcde\r")]
    [InlineData("0\r\n")]
    [InlineData("0\r\nX: 1\r\n")]
    public void A_prefix_asks_for_more(string text)
    {
        Assert.Equal(ChunkStatus.Incomplete, ChunkedEncoding.TryRead(Encoding.ASCII.GetBytes(text), out _, out _));
    }

    [Theory]
    [InlineData("zz\r\n")]
    [InlineData("-1\r\n")]
    [InlineData("\r\n")]
    [InlineData("123456789\r\n")]
    [InlineData("3\r\nabcXY")]
    [InlineData("200000\r\n")]
    public void Broken_framing_is_invalid(string text)
    {
        Assert.Equal(ChunkStatus.Invalid, ChunkedEncoding.TryRead(Encoding.ASCII.GetBytes(text), out _, out _));
    }
}
