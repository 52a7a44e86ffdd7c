using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Galaxy.Netlink.Core;

/// <summary>One attribute: its type (flag bits masked off) and payload, with typed readers.</summary>
internal readonly ref struct NetlinkAttribute
{
    public NetlinkAttribute(ushort rawType, ReadOnlySpan<byte> payload)
    {
        RawType = rawType;
        Payload = payload;
    }

    public ushort RawType { get; }

    public ushort Type => (ushort)(RawType & NetlinkProtocol.AttributeTypeMask);

    public bool IsNested => (RawType & NetlinkProtocol.AttributeNested) != 0;

    public ReadOnlySpan<byte> Payload { get; }

    public byte U8 => Payload.Length >= 1 ? Payload[0] : (byte)0;

    public ushort U16 => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(Payload) : (ushort)0;

    public ushort U16BigEndian => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : (ushort)0;

    public uint U32 => Payload.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(Payload) : 0;

    public uint U32BigEndian => Payload.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(Payload) : 0;

    public ulong U64BigEndian => Payload.Length >= 8 ? BinaryPrimitives.ReadUInt64BigEndian(Payload) : 0;

    /// <summary>A NUL-terminated (or unterminated) string.</summary>
    public string AsString()
    {
        var end = Payload.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? Payload : Payload[..end]);
    }

    /// <summary>An address in network order: 4 bytes IPv4, 16 bytes IPv6.</summary>
    public IPAddress AsAddress() => new(Payload);

    public AttributeEnumerator Nested() => new(Payload);
}

/// <summary>Walks a run of attributes. Malformed lengths end the walk.</summary>
internal ref struct AttributeEnumerator
{
    private ReadOnlySpan<byte> _remaining;

    public AttributeEnumerator(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
        Current = default;
    }

    public NetlinkAttribute Current { get; private set; }

    public readonly AttributeEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining.Length < NetlinkProtocol.AttributeHeaderLength)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(_remaining);
        if (length < NetlinkProtocol.AttributeHeaderLength || length > _remaining.Length)
        {
            _remaining = [];
            return false;
        }

        Current = new NetlinkAttribute(BinaryPrimitives.ReadUInt16LittleEndian(_remaining[2..]), _remaining[4..length]);
        _remaining = _remaining[Math.Min(NetlinkProtocol.Align(length), _remaining.Length)..];
        return true;
    }

    /// <summary>The first attribute of <paramref name="type"/>, if any.</summary>
    public bool TryFind(ushort type, out NetlinkAttribute attribute)
    {
        foreach (var candidate in this)
        {
            if (candidate.Type == type)
            {
                attribute = candidate;
                return true;
            }
        }

        attribute = default;
        return false;
    }
}
