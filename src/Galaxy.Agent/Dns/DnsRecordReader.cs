using System.Buffers.Binary;

namespace Galaxy.Agent.Dns;

/// <summary>The section a resource record was read from.</summary>
internal enum DnsSection : byte
{
    Answer,
    Authority,
    Additional,
}

/// <summary>
/// One resource record as it lies in a message: where its owner name starts (read it with
/// <see cref="DnsName.TryRead"/> when needed), its type, class, TTL (and where the TTL field is, to rewrite it),
/// and its data.
/// </summary>
internal readonly ref struct DnsRecord
{
    public DnsRecord(DnsSection section, int nameOffset, ushort type, ushort @class, uint ttl, int ttlOffset, int dataOffset, ReadOnlySpan<byte> data)
    {
        Section = section;
        NameOffset = nameOffset;
        Type = type;
        Class = @class;
        Ttl = ttl;
        TtlOffset = ttlOffset;
        DataOffset = dataOffset;
        Data = data;
    }

    public DnsSection Section { get; }

    public int NameOffset { get; }

    public ushort Type { get; }

    public ushort Class { get; }

    public uint Ttl { get; }

    public int TtlOffset { get; }

    public int DataOffset { get; }

    public ReadOnlySpan<byte> Data { get; }
}

/// <summary>
/// Walks the answer, authority and additional records of a message after its question section, without
/// allocating. Stops at the first malformed record: <see cref="Outcome"/> then says why.
/// </summary>
internal ref struct DnsRecordReader
{
    private readonly ReadOnlySpan<byte> _message;
    private readonly int _answers;
    private readonly int _authorities;
    private readonly int _total;
    private int _offset;
    private int _index;

    public DnsRecordReader(ReadOnlySpan<byte> message, DnsHeader header, int questionEnd)
    {
        _message = message;
        _answers = header.AnswerCount;
        _authorities = header.AuthorityCount;
        _total = header.AnswerCount + header.AuthorityCount + header.AdditionalCount;
        _offset = questionEnd;
        Outcome = DnsReadOutcome.Ok;
    }

    public DnsReadOutcome Outcome { get; private set; }

    /// <summary>Where the next record starts (the end of the message once every record is read).</summary>
    public readonly int Offset => _offset;

    public bool TryReadNext(out DnsRecord record)
    {
        record = default;
        if (_index >= _total || Outcome != DnsReadOutcome.Ok)
        {
            return false;
        }

        var nameOffset = _offset;
        var offset = _offset;
        var outcome = DnsName.TrySkip(_message, ref offset);
        if (outcome != DnsReadOutcome.Ok)
        {
            Outcome = outcome;
            return false;
        }

        if (offset + 10 > _message.Length)
        {
            Outcome = DnsReadOutcome.Truncated;
            return false;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(_message[offset..]);
        var @class = BinaryPrimitives.ReadUInt16BigEndian(_message[(offset + 2)..]);
        var ttl = BinaryPrimitives.ReadUInt32BigEndian(_message[(offset + 4)..]);
        var dataLength = BinaryPrimitives.ReadUInt16BigEndian(_message[(offset + 8)..]);
        var dataOffset = offset + 10;
        if (dataOffset + dataLength > _message.Length)
        {
            Outcome = DnsReadOutcome.Truncated;
            return false;
        }

        var section = _index < _answers ? DnsSection.Answer
            : _index < _answers + _authorities ? DnsSection.Authority
            : DnsSection.Additional;
        record = new DnsRecord(section, nameOffset, type, @class, ttl, offset + 4, dataOffset, _message.Slice(dataOffset, dataLength));
        _offset = dataOffset + dataLength;
        _index++;
        return true;
    }
}
