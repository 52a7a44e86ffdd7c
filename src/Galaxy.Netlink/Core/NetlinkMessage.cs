using System.Buffers.Binary;

namespace Galaxy.Netlink.Core;

/// <summary>One received netlink message: its header fields and the bytes after the 16-byte header.</summary>
internal readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }

    public ushort Flags { get; }

    public uint Sequence { get; }

    public uint PortId { get; }

    /// <summary>Everything after the nlmsghdr: the family header, then attributes.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    public bool IsDumpInterrupted => (Flags & NetlinkProtocol.FlagDumpInterrupted) != 0;

    /// <summary>The attributes after a family header of <paramref name="familyHeaderLength"/> bytes.</summary>
    public AttributeEnumerator Attributes(int familyHeaderLength) =>
        new(Payload.Length >= familyHeaderLength ? Payload[NetlinkProtocol.Align(familyHeaderLength)..] : []);
}

/// <summary>Walks the messages of one datagram. Malformed lengths end the walk with <see cref="Malformed"/> set.</summary>
internal ref struct NetlinkMessageEnumerator
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkMessageEnumerator(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
        Current = default;
        Malformed = false;
    }

    public NetlinkMessage Current { get; private set; }

    public bool Malformed { get; private set; }

    public readonly NetlinkMessageEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining.Length < NetlinkProtocol.HeaderLength)
        {
            Malformed = _remaining.Length != 0;
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(_remaining);
        if (length < NetlinkProtocol.HeaderLength || length > _remaining.Length)
        {
            Malformed = true;
            return false;
        }

        Current = new NetlinkMessage(
            BinaryPrimitives.ReadUInt16LittleEndian(_remaining[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(_remaining[6..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_remaining[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(_remaining[12..]),
            _remaining[NetlinkProtocol.HeaderLength..(int)length]);
        var next = Math.Min(NetlinkProtocol.Align((int)length), _remaining.Length);
        _remaining = _remaining[next..];
        return true;
    }
}
