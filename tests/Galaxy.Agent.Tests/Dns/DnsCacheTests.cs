using System.Buffers.Binary;
using Galaxy.Agent.Dns;
using static Galaxy.Agent.Tests.Dns.DnsGolden;

namespace Galaxy.Agent.Tests.Dns;

public sealed class DnsCacheTests
{
    private readonly ManualTime _time = new();

    [Fact]
    public void A_cached_answer_comes_back_with_the_askers_id_and_ttls_lowered_by_its_age()
    {
        var cache = new DnsCache(time: _time);
        var query = Bytes(QueryExampleA);
        DnsQuery.TryRead(query, out var parsed);
        Assert.True(cache.Store(parsed.CacheKey, Bytes(ReplyExampleA)), "a NOERROR answer with TTL 300 should be stored");

        _time.Advance(TimeSpan.FromSeconds(10.5));
        var second = Bytes(QueryExampleA);
        DnsHeader.WriteId(second, 0x7777);
        DnsQuery.TryRead(second, out var secondParsed);

        Assert.True(cache.TryGet(second, secondParsed, out var reply), "expected a hit 10 s after storing");
        Assert.Equal(0x7777, DnsHeader.ReadId(reply));
        Assert.Equal(290u, AnswerTtl(reply));
        Assert.Equal(ReplyExampleA.Length / 2, reply.Length);
    }

    [Fact]
    public void An_answer_expires_with_its_ttl()
    {
        var cache = new DnsCache(time: _time);
        DnsQuery.TryRead(Bytes(QueryExampleA), out var parsed);
        cache.Store(parsed.CacheKey, Bytes(ReplyExampleA));

        _time.Advance(TimeSpan.FromSeconds(299));
        Assert.True(cache.TryGet(Bytes(QueryExampleA), parsed, out var last), "expected a hit at 299 s of 300");
        Assert.Equal(1u, AnswerTtl(last));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGet(Bytes(QueryExampleA), parsed, out _), "expected a miss at 300 s of 300");
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void The_ttl_cap_shortens_long_answers()
    {
        var cache = new DnsCache(new DnsCacheOptions { MaxTtl = TimeSpan.FromSeconds(60) }, _time);
        DnsQuery.TryRead(Bytes(QueryExampleA), out var parsed);
        cache.Store(parsed.CacheKey, Bytes(ReplyExampleA));

        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.False(cache.TryGet(Bytes(QueryExampleA), parsed, out _), "expected the 60 s cap to end a 300 s answer");
    }

    [Fact]
    public void An_nxdomain_is_cached_for_the_soa_negative_ttl_capped()
    {
        var cache = new DnsCache(new DnsCacheOptions { MaxNegativeTtl = TimeSpan.FromSeconds(120) }, _time);
        DnsQuery.TryRead(Bytes(QueryMissing), out var parsed);
        Assert.True(cache.Store(parsed.CacheKey, Bytes(ReplyMissingNxDomain)), "an NXDOMAIN with an SOA should be stored");

        _time.Advance(TimeSpan.FromSeconds(119));
        Assert.True(cache.TryGet(Bytes(QueryMissing), parsed, out var reply), "expected a hit at 119 s of 120");
        Assert.Equal(3, reply[3] & 0x0f);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(cache.TryGet(Bytes(QueryMissing), parsed, out _), "expected a miss at 120 s");
    }

    [Fact]
    public void A_servfail_a_zero_ttl_or_a_truncated_reply_is_not_cached()
    {
        var cache = new DnsCache(time: _time);
        DnsQuery.TryRead(Bytes(QueryExampleA), out var parsed);
        var servfail = Bytes(ReplyExampleA);
        servfail[3] = (byte)((servfail[3] & 0xf0) | 2);
        var zeroTtl = Bytes(ReplyExampleA);
        BinaryPrimitives.WriteUInt32BigEndian(zeroTtl.AsSpan(36), 0);
        var truncated = Bytes(ReplyExampleA);
        truncated[2] |= 0x02;

        Assert.False(cache.Store(parsed.CacheKey, servfail), "SERVFAIL stored");
        Assert.False(cache.Store(parsed.CacheKey, zeroTtl), "TTL 0 stored");
        Assert.False(cache.Store(parsed.CacheKey, truncated), "TC stored");
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void The_least_recently_used_answer_goes_first_when_the_cache_is_full()
    {
        var cache = new DnsCache(new DnsCacheOptions { MaxEntries = 2 }, _time);
        DnsQuery.TryRead(Bytes(QueryExampleA), out var a);
        DnsQuery.TryRead(Bytes(QueryExampleAaaa), out var aaaa);
        DnsQuery.TryRead(Bytes(QueryAliasA), out var alias);
        cache.Store(a.CacheKey, Bytes(ReplyExampleA));
        cache.Store(aaaa.CacheKey, Bytes(ReplyExampleAaaa));
        Assert.True(cache.TryGet(Bytes(QueryExampleA), a, out _)); // A is now the most recent

        cache.Store(alias.CacheKey, Bytes(ReplyAliasA));

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet(Bytes(QueryExampleA), a, out _), "the recently used A answer was evicted");
        Assert.False(cache.TryGet(Bytes(QueryExampleAaaa), aaaa, out _), "the least recently used AAAA answer was kept");
        Assert.True(cache.TryGet(Bytes(QueryAliasA), alias, out _));
    }

    [Fact]
    public void A_hit_echoes_the_askers_spelling_of_the_name()
    {
        var cache = new DnsCache(time: _time);
        DnsQuery.TryRead(Bytes(QueryExampleA), out var parsed);
        cache.Store(parsed.CacheKey, Bytes(ReplyExampleA));
        var shouting = Bytes(QueryExampleA);
        shouting[13] = (byte)'E';
        shouting[14] = (byte)'X';
        DnsQuery.TryRead(shouting, out var shoutingParsed);

        Assert.Equal(parsed.CacheKey, shoutingParsed.CacheKey);
        Assert.True(cache.TryGet(shouting, shoutingParsed, out var reply));
        Assert.Equal("EXample", System.Text.Encoding.ASCII.GetString(reply, 13, 7));
    }

    [Fact]
    public void A_reply_stored_for_an_edns_asker_loses_its_opt_record_for_an_asker_without()
    {
        var cache = new DnsCache(time: _time);
        DnsQuery.TryRead(Bytes(QueryExampleA), out var edns);
        cache.Store(edns.CacheKey, Bytes(ReplyExampleA));
        DnsQuery.TryRead(Bytes(QueryPlainExampleA), out var plain);

        Assert.True(cache.TryGet(Bytes(QueryPlainExampleA), plain, out var reply));
        Assert.True(cache.TryGet(Bytes(QueryExampleA), edns, out var withOpt));

        // The golden reply minus its 11-byte OPT record, ARCOUNT 0, the plain asker's id.
        Assert.Equal("aab68580000100010000000007", Convert.ToHexStringLower(reply)[..26]);
        Assert.Equal(ReplyExampleA.Length / 2 - 11, reply.Length);
        Assert.Equal(ReplyExampleA.Length / 2, withOpt.Length);
        Assert.Equal(DnsReadOutcome.Ok, DnsResponse.TryRead(reply, out _));
    }

    private static uint AnswerTtl(byte[] reply)
    {
        Assert.Equal(DnsReadOutcome.Ok, DnsResponse.TryRead(reply, out var response));
        return BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(response!.TtlOffsets[0]));
    }
}
