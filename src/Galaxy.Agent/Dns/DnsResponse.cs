using System.Buffers.Binary;

namespace Galaxy.Agent.Dns;

/// <summary>
/// What the cache needs from an upstream reply: its code, whether it was truncated, the smallest TTL of its
/// answer section, the negative-caching TTL (RFC 2308 §5: min(SOA TTL, SOA MINIMUM) of the authority
/// section's SOA), and where every TTL field is (OPT's TTL field holds EDNS flags, not a TTL, so it is left out).
/// </summary>
internal sealed record DnsResponse(
    ushort Id, DnsResponseCode ResponseCode, bool IsTruncated, int QuestionEnd, int AnswerCount, uint? MinAnswerTtl, uint? NegativeTtl, int[] TtlOffsets)
{
    /// <summary>Where the OPT record starts when it is the message's last record (where it always is in practice); -1 otherwise.</summary>
    public int TrailingOptOffset { get; init; } = -1;

    /// <summary>
    /// SOA RDATA: MNAME (name), RNAME (name), u32 SERIAL, u32 REFRESH, u32 RETRY, u32 EXPIRE, u32 MINIMUM.
    /// The names may be compressed, so the fixed fields are found by skipping two names within the RDATA.
    /// </summary>
    private const int SoaFixedFields = 20;

    public static DnsReadOutcome TryRead(ReadOnlySpan<byte> message, out DnsResponse? response)
    {
        response = null;
        if (!DnsHeader.TryRead(message, out var header))
        {
            return DnsReadOutcome.Truncated;
        }

        if (!header.IsResponse || header.QuestionCount > 1)
        {
            return DnsReadOutcome.Unsupported;
        }

        var offset = DnsWire.HeaderLength;
        if (header.QuestionCount == 1)
        {
            var skipped = DnsName.TrySkip(message, ref offset);
            if (skipped != DnsReadOutcome.Ok)
            {
                return skipped;
            }

            offset += 4;
            if (offset > message.Length)
            {
                return DnsReadOutcome.Truncated;
            }
        }

        var questionEnd = offset;
        uint? minAnswerTtl = null;
        uint? negativeTtl = null;
        var ttlOffsets = new List<int>(header.AnswerCount + header.AuthorityCount + header.AdditionalCount);
        var trailingOpt = -1;
        var reader = new DnsRecordReader(message, header, questionEnd);
        while (reader.TryReadNext(out var record))
        {
            trailingOpt = record.Type == DnsWire.TypeOpt && record.Section == DnsSection.Additional ? record.NameOffset : -1;
            if (record.Type == DnsWire.TypeOpt)
            {
                continue;
            }

            ttlOffsets.Add(record.TtlOffset);
            if (record.Section == DnsSection.Answer)
            {
                minAnswerTtl = Math.Min(minAnswerTtl ?? uint.MaxValue, record.Ttl);
            }
            else if (record.Section == DnsSection.Authority && record.Type == DnsWire.TypeSoa && TryReadSoaMinimum(message, record, out var minimum))
            {
                negativeTtl = Math.Min(record.Ttl, minimum);
            }
        }

        if (reader.Outcome != DnsReadOutcome.Ok)
        {
            return reader.Outcome;
        }

        response = new DnsResponse(header.Id, header.ResponseCode, header.IsTruncated, questionEnd, header.AnswerCount, minAnswerTtl, negativeTtl, [.. ttlOffsets])
        {
            TrailingOptOffset = reader.Offset == message.Length ? trailingOpt : -1,
        };
        return DnsReadOutcome.Ok;
    }

    /// <summary>
    /// True when the reply's question section is the query's (same name ignoring ASCII case, same type and class):
    /// a reply to something else is not an answer, whatever its id.
    /// </summary>
    public static bool QuestionMatches(ReadOnlySpan<byte> query, ReadOnlySpan<byte> reply)
    {
        if (query.Length < DnsWire.HeaderLength || reply.Length < DnsWire.HeaderLength
            || BinaryPrimitives.ReadUInt16BigEndian(query[4..]) != 1 || BinaryPrimitives.ReadUInt16BigEndian(reply[4..]) != 1)
        {
            return false;
        }

        Span<byte> left = stackalloc byte[DnsWire.MaxNameLength];
        Span<byte> right = stackalloc byte[DnsWire.MaxNameLength];
        int queryOffset = DnsWire.HeaderLength, replyOffset = DnsWire.HeaderLength;
        if (DnsName.TryReadWire(query, ref queryOffset, left, out var leftLength) != DnsReadOutcome.Ok
            || DnsName.TryReadWire(reply, ref replyOffset, right, out var rightLength) != DnsReadOutcome.Ok
            || queryOffset + 4 > query.Length || replyOffset + 4 > reply.Length)
        {
            return false;
        }

        return DnsName.WireEquals(left[..leftLength], right[..rightLength])
            && query.Slice(queryOffset, 4).SequenceEqual(reply.Slice(replyOffset, 4));
    }

    private static bool TryReadSoaMinimum(ReadOnlySpan<byte> message, DnsRecord record, out uint minimum)
    {
        minimum = 0;
        var offset = record.DataOffset;
        if (DnsName.TrySkip(message, ref offset) != DnsReadOutcome.Ok || DnsName.TrySkip(message, ref offset) != DnsReadOutcome.Ok
            || offset + SoaFixedFields != record.DataOffset + record.Data.Length)
        {
            return false;
        }

        minimum = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 16)..]);
        return true;
    }
}
