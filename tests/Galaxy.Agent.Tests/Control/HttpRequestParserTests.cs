using System.Text;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Tests.Control;

public sealed class HttpRequestParserTests
{
    private static HttpParseOutcome Parse(string text) => HttpRequestParser.Parse(Encoding.Latin1.GetBytes(text));

    [Fact]
    public void A_curl_request_parses_with_method_path_query_and_headers()
    {
        const string text = "GET /v1/status?verbose=1 HTTP/1.1\r\nHost: galaxy\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";
        var outcome = Parse(text);
        Assert.True(outcome.Status == HttpParseStatus.Complete, $"expected Complete, saw {outcome}");
        var request = outcome.Request!;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/v1/status", request.Path);
        Assert.Equal("verbose=1", request.Query);
        Assert.Equal("curl/7.88.1", request.Header("user-agent"));
        Assert.Equal(3, request.Headers.Count);
        Assert.Empty(request.Body);
        Assert.Equal(text.Length, outcome.Consumed);
    }

    [Fact]
    public void A_Content_Length_body_is_read_whole_and_nothing_after_it()
    {
        var outcome = Parse("DELETE /v1/connections/7 HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\n\r\nhelloEXTRA");
        Assert.Equal(HttpParseStatus.Complete, outcome.Status);
        Assert.Equal("hello", Encoding.ASCII.GetString(outcome.Request!.Body));
        Assert.Equal(outcome.Consumed, "DELETE /v1/connections/7 HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\n\r\nhello".Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GET /v1/sta")]
    [InlineData("GET /v1/status HTTP/1.1\r\nHost: g\r\n")]
    [InlineData("POST /v1/x HTTP/1.1\r\nHost: g\r\nContent-Length: 10\r\n\r\nabc")]
    public void A_prefix_of_a_valid_request_asks_for_more(string text)
    {
        var outcome = Parse(text);
        Assert.True(outcome.Status == HttpParseStatus.Incomplete, $"expected Incomplete for {text.ReplaceLineEndings("\\n")}, saw {outcome}");
    }

    [Theory]
    [InlineData("GET /v1/status HTTP/1.1\nHost: g\n\n", 400)]                       // bare LF
    [InlineData("get /v1/status HTTP/1.1\r\nHost: g\r\n\r\n", 400)]                 // lower-case method
    [InlineData("GET v1/status HTTP/1.1\r\nHost: g\r\n\r\n", 400)]                  // not origin-form
    [InlineData("GET /v1/status HTTP/2.0\r\nHost: g\r\n\r\n", 505)]
    [InlineData("GET /v1/status FOO\r\nHost: g\r\n\r\n", 400)]
    [InlineData("GET  /v1/status HTTP/1.1\r\nHost: g\r\n\r\n", 400)]                // double space
    [InlineData("GET /v1/status HTTP/1.1\r\n\r\n", 400)]                             // no Host
    [InlineData("GET /v1/status HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)]
    [InlineData("GET /v1/status HTTP/1.1\r\nHost : g\r\n\r\n", 400)]                 // space before colon
    [InlineData("GET /v1/status HTTP/1.1\r\nHost: g\r\n folded\r\n\r\n", 400)]       // obs-fold
    [InlineData("GET /v1/status HTTP/1.1\r\nHost: g\r\nX: a\u0001b\r\n\r\n", 400)]   // control character
    [InlineData("GET /v1/status HTTP/1.1\r\nHost: g\r\nNoColon\r\n\r\n", 400)]
    [InlineData("GET /v1/status HTTP/1.1\r\nHost: g\r\nContent-Length: -1\r\n\r\n", 400)]
    [InlineData("GET /v1/status HTTP/1.1\r\nHost: g\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400)]
    [InlineData("POST /v1/x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n", 501)]
    [InlineData("GET /v1/st\u00e9 HTTP/1.1\r\nHost: g\r\n\r\n", 400)]
    [InlineData("\0\0\0\0", 400)]
    public void A_malformed_request_is_refused_with_the_right_status(string text, int expected)
    {
        var outcome = Parse(text);
        Assert.True(outcome.Status == HttpParseStatus.Invalid && outcome.StatusCode == expected,
            $"expected Invalid {expected} for {text.ReplaceLineEndings("\\n")}, saw {outcome}");
        Assert.False(string.IsNullOrEmpty(outcome.Reason), "a refusal says why");
    }

    [Fact]
    public void A_head_over_8_KiB_is_refused_with_413()
    {
        var outcome = Parse("GET /v1/status HTTP/1.1\r\nHost: g\r\nX-Big: " + new string('a', HttpRequestParser.MaxHeadBytes) + "\r\n\r\n");
        Assert.True(outcome is { Status: HttpParseStatus.Invalid, StatusCode: 413 }, $"expected 413, saw {outcome}");
    }

    [Fact]
    public void A_head_growing_past_8_KiB_without_an_end_is_refused_before_it_ends()
    {
        var outcome = Parse("GET /v1/status HTTP/1.1\r\nX-Big: " + new string('a', HttpRequestParser.MaxHeadBytes));
        Assert.True(outcome is { Status: HttpParseStatus.Invalid, StatusCode: 413 }, $"expected 413, saw {outcome}");
    }

    [Fact]
    public void A_body_over_64_KiB_is_refused_from_its_Content_Length_alone()
    {
        var outcome = Parse($"POST /v1/x HTTP/1.1\r\nHost: g\r\nContent-Length: {HttpRequestParser.MaxBodyBytes + 1}\r\n\r\n");
        Assert.True(outcome is { Status: HttpParseStatus.Invalid, StatusCode: 413 }, $"expected 413, saw {outcome}");
    }

    [Fact]
    public void More_than_64_headers_are_refused()
    {
        var text = new StringBuilder("GET / HTTP/1.1\r\nHost: g\r\n");
        for (var i = 0; i < HttpRequestParser.MaxHeaders; i++)
        {
            text.Append($"X-{i}: v\r\n");
        }

        var outcome = Parse(text.Append("\r\n").ToString());
        Assert.True(outcome is { Status: HttpParseStatus.Invalid, StatusCode: 413 }, $"expected 413, saw {outcome}");
    }

    [Fact]
    public void HTTP_1_0_needs_no_Host()
    {
        var outcome = Parse("GET /v1/metrics HTTP/1.0\r\n\r\n");
        Assert.True(outcome.Status == HttpParseStatus.Complete, $"expected Complete, saw {outcome}");
    }

    [Fact]
    public void Bounded_fuzz_never_throws_and_always_decides_within_the_limits()
    {
        var random = new Random(20261126);
        var seeds = new[]
        {
            "GET /v1/status HTTP/1.1\r\nHost: galaxy\r\n\r\n"u8.ToArray(),
            "DELETE /v1/connections/12 HTTP/1.1\r\nHost: g\r\nContent-Length: 3\r\n\r\nabc"u8.ToArray(),
        };
        var counts = new Dictionary<HttpParseStatus, int>();
        for (var round = 0; round < 20_000; round++)
        {
            var input = Mutate(seeds[round % seeds.Length], random);
            HttpParseOutcome outcome;
            try
            {
                outcome = HttpRequestParser.Parse(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"round {round}: the parser threw {e.GetType().Name} on {Convert.ToHexString(input)}: {e.Message}");
                throw;
            }

            counts[outcome.Status] = counts.GetValueOrDefault(outcome.Status) + 1;
            switch (outcome.Status)
            {
                case HttpParseStatus.Invalid:
                    Assert.True(outcome.StatusCode is >= 400 and < 600 && outcome.Reason is not null, $"round {round}: refusal without a 4xx/5xx and a reason: {outcome}");
                    break;
                case HttpParseStatus.Complete:
                    Assert.True(outcome.Request is not null && outcome.Consumed > 0 && outcome.Consumed <= input.Length, $"round {round}: {outcome}");
                    Assert.True(outcome.Request!.Body.Length <= HttpRequestParser.MaxBodyBytes, $"round {round}: body too long");
                    break;
                case HttpParseStatus.Incomplete:
                    Assert.True(input.Length < HttpRequestParser.MaxHeadBytes + HttpRequestParser.MaxBodyBytes + 4, $"round {round}: waits for more beyond the limits");
                    break;
            }
        }

        Assert.True(counts.GetValueOrDefault(HttpParseStatus.Invalid) > 1000 && counts.GetValueOrDefault(HttpParseStatus.Complete) > 100,
            $"the fuzz should reach both refusals and requests; saw {string.Join(", ", counts.Select(c => $"{c.Key}={c.Value}"))}");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        var edits = random.Next(0, 6);
        for (var i = 0; i < edits; i++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.InsertRange(at, "\r\n: 0123456789"u8.ToArray().Take(random.Next(1, 14)));
                    break;
                default:
                    bytes.InsertRange(at, Enumerable.Repeat((byte)'a', random.Next(0, 9000)));
                    break;
            }
        }

        return [.. bytes];
    }
}
