using System.Buffers.Binary;

namespace Galaxy.Agent.Dns;

/// <summary>The few messages the forwarder writes itself, as pure functions into a caller's buffer.</summary>
internal static class DnsMessageWriter
{
    /// <summary>
    /// A reply carrying only <paramref name="code"/>: the query's header with QR and RA set, the opcode and RD
    /// kept, the counts zeroed except the question, which is copied back when the query had a readable one
    /// (<paramref name="questionEnd"/> &gt; 12). Returns the length written, 0 when the query has no header.
    /// </summary>
    public static int WriteErrorReply(ReadOnlySpan<byte> query, int questionEnd, DnsResponseCode code, Span<byte> destination) =>
        WriteHeaderReply(query, questionEnd, (ushort)code, destination);

    /// <summary>
    /// A reply with TC set and no records (RFC 2181 §9 / RFC 7766 §5): the answer did not fit in the client's
    /// UDP payload, the client asks again over TCP.
    /// </summary>
    public static int WriteTruncatedReply(ReadOnlySpan<byte> query, int questionEnd, Span<byte> destination) =>
        WriteHeaderReply(query, questionEnd, DnsWire.FlagTruncated, destination);

    /// <summary>
    /// A recursive query for <paramref name="name"/> (header, one question of class IN, no EDNS), as the bootstrap
    /// resolver sends it. Returns the length, 0 when the name is not a valid DNS name or does not fit.
    /// </summary>
    public static int WriteQuery(ushort id, string name, ushort type, Span<byte> destination)
    {
        if (destination.Length < DnsWire.HeaderLength + 4 + 1 || !DnsName.TryWrite(name, destination[DnsWire.HeaderLength..^4], out var nameLength))
        {
            return 0;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, id);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], DnsWire.FlagRecursionDesired);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], 1);
        destination.Slice(6, 6).Clear();
        var offset = DnsWire.HeaderLength + nameLength;
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], DnsWire.ClassInternet);
        return offset + 4;
    }

    /// <summary>Lowers every TTL at <paramref name="ttlOffsets"/> by <paramref name="elapsedSeconds"/>, not below zero.</summary>
    public static void AgeTtls(Span<byte> message, ReadOnlySpan<int> ttlOffsets, uint elapsedSeconds)
    {
        foreach (var offset in ttlOffsets)
        {
            var ttl = BinaryPrimitives.ReadUInt32BigEndian(message[offset..]);
            BinaryPrimitives.WriteUInt32BigEndian(message[offset..], ttl > elapsedSeconds ? ttl - elapsedSeconds : 0);
        }
    }

    private static int WriteHeaderReply(ReadOnlySpan<byte> query, int questionEnd, ushort extraFlags, Span<byte> destination)
    {
        if (query.Length < DnsWire.HeaderLength)
        {
            return 0;
        }

        var withQuestion = questionEnd > DnsWire.HeaderLength && questionEnd <= query.Length;
        var length = withQuestion ? questionEnd : DnsWire.HeaderLength;
        query[..length].CopyTo(destination);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(query[2..]);
        flags = (ushort)((flags & (DnsWire.OpcodeMask | DnsWire.FlagRecursionDesired | DnsWire.FlagCheckingDisabled))
            | DnsWire.FlagResponse | DnsWire.FlagRecursionAvailable | extraFlags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], withQuestion ? (ushort)1 : (ushort)0);
        destination.Slice(6, 6).Clear();
        return length;
    }
}
