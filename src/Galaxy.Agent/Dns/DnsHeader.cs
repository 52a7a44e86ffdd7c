using System.Buffers.Binary;

namespace Galaxy.Agent.Dns;

/// <summary>The 12-byte header of a DNS message (layout in <see cref="DnsWire"/>).</summary>
internal readonly record struct DnsHeader(
    ushort Id, ushort Flags, ushort QuestionCount, ushort AnswerCount, ushort AuthorityCount, ushort AdditionalCount)
{
    public bool IsResponse => (Flags & DnsWire.FlagResponse) != 0;

    public int Opcode => (Flags & DnsWire.OpcodeMask) >> 11;

    public bool IsTruncated => (Flags & DnsWire.FlagTruncated) != 0;

    public bool RecursionDesired => (Flags & DnsWire.FlagRecursionDesired) != 0;

    public DnsResponseCode ResponseCode => (DnsResponseCode)(Flags & DnsWire.ResponseCodeMask);

    public static bool TryRead(ReadOnlySpan<byte> message, out DnsHeader header)
    {
        if (message.Length < DnsWire.HeaderLength)
        {
            header = default;
            return false;
        }

        header = new DnsHeader(
            BinaryPrimitives.ReadUInt16BigEndian(message),
            BinaryPrimitives.ReadUInt16BigEndian(message[2..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[8..]),
            BinaryPrimitives.ReadUInt16BigEndian(message[10..]));
        return true;
    }

    public static ushort ReadId(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadUInt16BigEndian(message);

    /// <summary>Rewrites the id of a message in place (a cached reply gets the asking client's id).</summary>
    public static void WriteId(Span<byte> message, ushort id) => BinaryPrimitives.WriteUInt16BigEndian(message, id);
}
