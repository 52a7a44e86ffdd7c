using System.Buffers.Binary;
using System.Net;
using Galaxy.Agent.Dns;
using static Galaxy.Agent.Tests.Dns.DnsGolden;

namespace Galaxy.Agent.Tests.Dns;

public sealed class DnsCodecTests
{
    [Fact]
    public void A_dig_query_reads_as_its_id_name_type_and_edns_payload_size()
    {
        var outcome = DnsQuery.TryRead(Bytes(QueryExampleA), out var query);

        Assert.Equal(DnsReadOutcome.Ok, outcome);
        Assert.Equal((ushort)0x41b4, query.Id);
        Assert.Equal("example.test", query.Name);
        Assert.Equal(DnsWire.TypeA, query.Type);
        Assert.Equal(DnsWire.ClassInternet, query.Class);
        Assert.Equal(12 + 14 + 4, query.QuestionEnd);
        Assert.Equal(1232, query.MaxUdpPayload);
        Assert.True(query.HasEdns);
    }

    [Fact]
    public void A_query_without_edns_accepts_512_bytes()
    {
        Assert.Equal(DnsReadOutcome.Ok, DnsQuery.TryRead(Bytes(QueryPlainExampleA), out var query));
        Assert.Equal(512, query.MaxUdpPayload);
        Assert.False(query.HasEdns);
        Assert.Equal(new DnsCacheKey("example.test", DnsWire.TypeA, DnsWire.ClassInternet), query.CacheKey);
    }

    [Fact]
    public void The_query_writer_writes_the_bytes_dig_sends_without_edns()
    {
        var buffer = new byte[300];

        var length = DnsMessageWriter.WriteQuery(0xaab6, "example.test", DnsWire.TypeA, buffer);

        Assert.Equal(QueryPlainExampleA, Convert.ToHexStringLower(buffer.AsSpan(0, length)));
        Assert.Equal(length, DnsMessageWriter.WriteQuery(0xaab6, "example.test.", DnsWire.TypeA, buffer));
    }

    [Theory]
    [InlineData("a..b")]
    [InlineData(".test")]
    [InlineData("éxample.test")]
    public void The_query_writer_refuses_names_that_are_not_dns_names(string name)
    {
        Assert.Equal(0, DnsMessageWriter.WriteQuery(1, name, DnsWire.TypeA, new byte[300]));
    }

    [Fact]
    public void A_label_longer_than_63_bytes_is_refused()
    {
        Assert.Equal(0, DnsMessageWriter.WriteQuery(1, new string('a', 64) + ".test", DnsWire.TypeA, new byte[300]));
        Assert.NotEqual(0, DnsMessageWriter.WriteQuery(1, new string('a', 63) + ".test", DnsWire.TypeA, new byte[300]));
    }

    [Fact]
    public void An_answer_reads_as_its_records_ttls_and_address()
    {
        var reply = Bytes(ReplyExampleA);

        Assert.Equal(DnsReadOutcome.Ok, DnsResponse.TryRead(reply, out var response));
        Assert.NotNull(response);
        Assert.Equal(DnsResponseCode.NoError, response.ResponseCode);
        Assert.False(response.IsTruncated);
        Assert.Equal(1, response.AnswerCount);
        Assert.Equal(300u, response.MinAnswerTtl);
        Assert.Null(response.NegativeTtl);
        Assert.Single(response.TtlOffsets); // the OPT record's TTL field holds EDNS flags: not a TTL
        Assert.Equal(300u, BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(response.TtlOffsets[0])));
        Assert.Equal([IPAddress.Parse("192.0.2.80")], BootstrapResolver.ReadAddresses(reply, DnsWire.TypeA));
    }

    [Fact]
    public void Compressed_owner_names_and_cname_data_read_through_their_pointers()
    {
        var reply = Bytes(ReplyAliasA);
        Assert.True(DnsHeader.TryRead(reply, out var header));
        var offset = 12;
        Assert.Equal(DnsReadOutcome.Ok, DnsName.TrySkip(reply, ref offset));
        var reader = new DnsRecordReader(reply, header, offset + 4);
        var seen = new List<string>();
        while (reader.TryReadNext(out var record))
        {
            var nameOffset = record.NameOffset;
            Assert.Equal(DnsReadOutcome.Ok, DnsName.TryRead(reply, ref nameOffset, out var owner));
            var data = record.Type switch
            {
                DnsWire.TypeCname => ReadName(reply, record.DataOffset),
                DnsWire.TypeA => new IPAddress(record.Data).ToString(),
                _ => $"type {record.Type}",
            };
            seen.Add($"{record.Section} {owner} {record.Ttl} {data}");
        }

        Assert.Equal(DnsReadOutcome.Ok, reader.Outcome);
        Assert.Equal(
            ["Answer www.alias.test 300 target.alias.test", "Answer target.alias.test 300 192.0.2.81", "Additional  0 type 41"],
            seen);
        Assert.Equal([IPAddress.Parse("192.0.2.81")], BootstrapResolver.ReadAddresses(reply, DnsWire.TypeA));
    }

    [Fact]
    public void An_nxdomain_with_an_soa_gives_the_negative_ttl()
    {
        Assert.Equal(DnsReadOutcome.Ok, DnsResponse.TryRead(Bytes(ReplyMissingNxDomain), out var response));
        Assert.NotNull(response);
        Assert.Equal(DnsResponseCode.NameError, response.ResponseCode);
        Assert.Equal(0, response.AnswerCount);
        Assert.Null(response.MinAnswerTtl);
        Assert.Equal(600u, response.NegativeTtl); // min(SOA TTL 600, MINIMUM 600)
    }

    [Fact]
    public void An_aaaa_answer_reads_as_an_ipv6_address()
    {
        Assert.Equal([IPAddress.Parse("2001:db8::80")], BootstrapResolver.ReadAddresses(Bytes(ReplyExampleAaaa), DnsWire.TypeAaaa));
        Assert.Empty(BootstrapResolver.ReadAddresses(Bytes(ReplyExampleAaaa), DnsWire.TypeA));
    }

    [Fact]
    public void A_servfail_reply_keeps_id_opcode_rd_and_question_and_drops_everything_else()
    {
        var query = Bytes(QueryExampleA);
        Assert.Equal(DnsReadOutcome.Ok, DnsQuery.TryRead(query, out var parsed));
        var reply = new byte[512];

        var length = DnsMessageWriter.WriteErrorReply(query, parsed.QuestionEnd, DnsResponseCode.ServerFailure, reply);

        // id 41b4; QR RD RA, SERVFAIL (8182); 1 question, no records; the question as asked.
        Assert.Equal("41b4" + "8182" + "0001000000000000" + "076578616d706c6504746573740000010001", Convert.ToHexStringLower(reply.AsSpan(0, length)));
    }

    [Fact]
    public void A_refused_reply_without_a_readable_question_is_a_bare_header()
    {
        var reply = new byte[12];

        var length = DnsMessageWriter.WriteErrorReply(Bytes(QueryPlainExampleA), 12, DnsResponseCode.Refused, reply);

        Assert.Equal("aab6" + "8185" + "0000000000000000", Convert.ToHexStringLower(reply.AsSpan(0, length)));
    }

    [Fact]
    public void Rewriting_the_id_changes_only_the_first_two_bytes()
    {
        var reply = Bytes(ReplyExampleA);

        DnsHeader.WriteId(reply, 0x1234);

        Assert.Equal("1234" + ReplyExampleA[4..], Convert.ToHexStringLower(reply));
    }

    [Fact]
    public void Ttls_age_and_stop_at_zero()
    {
        var reply = Bytes(ReplyAliasA);
        Assert.Equal(DnsReadOutcome.Ok, DnsResponse.TryRead(reply, out var response));

        DnsMessageWriter.AgeTtls(reply, response!.TtlOffsets, 100);
        Assert.All(response.TtlOffsets, o => Assert.Equal(200u, BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(o))));
        DnsMessageWriter.AgeTtls(reply, response.TtlOffsets, 1000);
        Assert.All(response.TtlOffsets, o => Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(o))));
    }

    [Fact]
    public void A_reply_matches_its_query_whatever_the_case_of_the_name_and_not_another_question()
    {
        var query = Bytes(QueryExampleA);
        var reply = Bytes(ReplyExampleA);
        Assert.True(DnsResponse.QuestionMatches(query, reply));

        reply[13] = (byte)'E'; // "Example.test"
        Assert.True(DnsResponse.QuestionMatches(query, reply));
        Assert.False(DnsResponse.QuestionMatches(Bytes(QueryExampleAaaa), reply));
        Assert.False(DnsResponse.QuestionMatches(Bytes(QueryAliasA), reply));
    }

    [Fact]
    public void A_pointer_loop_is_rejected_not_followed_forever()
    {
        // Header with one question whose name is a pointer to itself (offset 12).
        var message = Convert.FromHexString("abcd01000001000000000000" + "c00c" + "00010001");
        var offset = 12;

        Assert.Equal(DnsReadOutcome.BadPointer, DnsName.TryRead(message, ref offset, out _));
        Assert.Equal(DnsReadOutcome.BadPointer, DnsQuery.TryRead(message, out _));
    }

    [Fact]
    public void Two_pointers_pointing_at_each_other_are_rejected()
    {
        // offset 12: label "a" then pointer to 17; offset 17: pointer to 12.
        var message = Convert.FromHexString("abcd01000001000000000000" + "0161" + "c011" + "00" + "c00c" + "00010001");
        var offset = 12;

        Assert.Equal(DnsReadOutcome.BadPointer, DnsName.TryRead(message, ref offset, out _));
    }

    [Fact]
    public void A_pointer_past_the_end_of_the_message_is_rejected()
    {
        var message = Convert.FromHexString("abcd01000001000000000000" + "c0ff" + "00010001");
        var offset = 12;

        Assert.Equal(DnsReadOutcome.BadPointer, DnsName.TryRead(message, ref offset, out _));
    }

    [Fact]
    public void A_name_longer_than_255_bytes_is_rejected()
    {
        var labels = string.Concat(Enumerable.Repeat("3f" + new string('6', 126), 5)); // five 63-byte labels: 320 bytes
        var message = Convert.FromHexString("abcd01000001000000000000" + labels + "00" + "00010001");

        Assert.Equal(DnsReadOutcome.NameTooLong, DnsQuery.TryRead(message, out _));
    }

    [Fact]
    public void The_reserved_label_types_are_rejected()
    {
        var message = Convert.FromHexString("abcd01000001000000000000" + "4061" + "00010001");

        Assert.Equal(DnsReadOutcome.BadLabel, DnsQuery.TryRead(message, out _));
    }

    [Fact]
    public void Every_truncation_of_real_messages_reads_as_an_outcome_never_an_exception()
    {
        foreach (var hex in new[] { QueryExampleA, ReplyExampleA, ReplyAliasA, ReplyMissingNxDomain, ReplyExampleAaaa })
        {
            var whole = Bytes(hex);
            for (var length = 0; length < whole.Length; length++)
            {
                var part = whole.AsSpan(0, length);
                var query = DnsQuery.TryRead(part, out _);
                var response = DnsResponse.TryRead(part, out _);
                Assert.True(query != DnsReadOutcome.Ok || response != DnsReadOutcome.Ok || length == whole.Length,
                    $"{length} of {whole.Length} bytes of {hex[..8]} read as a whole message");
            }
        }

        Assert.Equal(DnsReadOutcome.Truncated, DnsQuery.TryRead(Bytes(QueryExampleA).AsSpan(0, 20), out _));
        Assert.Equal(DnsReadOutcome.Truncated, DnsResponse.TryRead(Bytes(ReplyExampleA).AsSpan(0, 50), out _));
    }

    [Fact]
    public void Random_corruption_of_real_messages_never_throws()
    {
        var random = new Random(6);
        foreach (var hex in new[] { QueryExampleA, ReplyAliasA, ReplyMissingNxDomain })
        {
            var whole = Bytes(hex);
            for (var i = 0; i < 5000; i++)
            {
                var copy = (byte[])whole.Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    copy[random.Next(copy.Length)] = (byte)random.Next(256);
                }

                DnsQuery.TryRead(copy, out _);
                DnsResponse.TryRead(copy, out _);
                DnsResponse.QuestionMatches(whole, copy);
                BootstrapResolver.ReadAddresses(copy, DnsWire.TypeA);
                new DnsNameMemory(time: new ManualTime()).Learn(copy, "x");
            }
        }
    }

    [Fact]
    public void Unusual_bytes_in_a_label_are_escaped_in_the_name_text()
    {
        var message = Convert.FromHexString("abcd01000001000000000000" + "03612e62" + "0141" + "00" + "00010001");

        Assert.Equal(DnsReadOutcome.Ok, DnsQuery.TryRead(message, out var query));
        Assert.Equal("a\\046b.a", query.Name);
    }

    [Fact]
    public void A_response_or_a_second_question_is_not_a_query_this_forwarder_answers()
    {
        Assert.Equal(DnsReadOutcome.Unsupported, DnsQuery.TryRead(Bytes(ReplyExampleA), out _));
        var twoQuestions = Bytes(QueryPlainExampleA);
        twoQuestions[5] = 2;
        Assert.Equal(DnsReadOutcome.Unsupported, DnsQuery.TryRead(twoQuestions, out var query));
        Assert.Equal((ushort)0xaab6, query.Id);
    }

    private static string ReadName(byte[] message, int offset)
    {
        Assert.Equal(DnsReadOutcome.Ok, DnsName.TryRead(message, ref offset, out var name));
        return name;
    }
}
