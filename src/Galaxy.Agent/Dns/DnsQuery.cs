using System.Buffers.Binary;

namespace Galaxy.Agent.Dns;

/// <summary>
/// What the forwarder needs from a client's query: its id, its one question (name lowercased for the cache,
/// type, class), where the question section ends, and the UDP payload size the client accepts (EDNS OPT,
/// RFC 6891 §6.1.2: the OPT record's CLASS field; 512 without one).
/// </summary>
internal readonly record struct DnsQuery(ushort Id, ushort Flags, string Name, ushort Type, ushort Class, int QuestionEnd, int MaxUdpPayload)
{
    /// <summary>Whether the query carried an OPT record (a reply to it may carry one; to a query without, it must not).</summary>
    public bool HasEdns { get; init; }

    public DnsCacheKey CacheKey => new(Name, Type, Class);

    /// <summary>
    /// Reads a query: a header with QR clear, opcode QUERY, exactly one question. A message that is a query
    /// but not one this forwarder answers (another opcode, several questions) reads as
    /// <see cref="DnsReadOutcome.Unsupported"/>; <paramref name="query"/> then still carries the id.
    /// </summary>
    public static DnsReadOutcome TryRead(ReadOnlySpan<byte> message, out DnsQuery query)
    {
        query = default;
        if (!DnsHeader.TryRead(message, out var header))
        {
            return DnsReadOutcome.Truncated;
        }

        query = new DnsQuery(header.Id, header.Flags, string.Empty, 0, 0, DnsWire.HeaderLength, DnsWire.MaxUdpWithoutEdns);
        if (header.IsResponse || header.Opcode != 0 || header.QuestionCount != 1)
        {
            return DnsReadOutcome.Unsupported;
        }

        var offset = DnsWire.HeaderLength;
        var outcome = DnsName.TryRead(message, ref offset, out var name, lowercase: true);
        if (outcome != DnsReadOutcome.Ok)
        {
            return outcome;
        }

        if (offset + 4 > message.Length)
        {
            return DnsReadOutcome.Truncated;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
        var questionEnd = offset + 4;
        var maxUdp = DnsWire.MaxUdpWithoutEdns;
        var hasEdns = false;

        // Answer and authority sections of a query are normally empty; the OPT record sits in the additional section.
        var reader = new DnsRecordReader(message, header, questionEnd);
        while (reader.TryReadNext(out var record))
        {
            if (record.Type == DnsWire.TypeOpt)
            {
                maxUdp = Math.Max(DnsWire.MaxUdpWithoutEdns, (int)record.Class);
                hasEdns = true;
            }
        }

        if (reader.Outcome != DnsReadOutcome.Ok)
        {
            return reader.Outcome;
        }

        query = new DnsQuery(header.Id, header.Flags, name, type, @class, questionEnd, maxUdp) { HasEdns = hasEdns };
        return DnsReadOutcome.Ok;
    }
}
