using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Galaxy.Netlink.Core;

/// <summary>
/// Builds netlink messages into one growable buffer: headers, fixed family headers, attributes and
/// nested attributes. Pure: it never touches a socket, so every encoder can be checked byte for byte.
/// One writer is reused for many requests (<see cref="Reset"/>), so steady-state encoding allocates
/// nothing.
/// </summary>
/// <remarks>
/// <code>
/// struct nlmsghdr { u32 len; u16 type; u16 flags; u32 seq; u32 pid; }   host order, 16 bytes
/// struct nlattr   { u16 len; u16 type; } payload, padded to 4           len excludes the padding
/// </code>
/// </remarks>
internal sealed class NetlinkWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;

    public NetlinkWriter(int initialCapacity = 4096)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>Everything written since the last <see cref="Reset"/>.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    public int Length => _length;

    public void Reset() => _length = 0;

    /// <summary>Starts a message; returns its offset for <see cref="EndMessage"/>.</summary>
    public int BeginMessage(ushort type, ushort flags, uint sequence)
    {
        var start = _length;
        var header = Reserve(NetlinkProtocol.HeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], 0); // pid 0: to the kernel
        return start;
    }

    /// <summary>Writes the message length into its header and pads the message to 4 bytes.</summary>
    public void EndMessage(int start)
    {
        Pad();
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(start), (uint)(_length - start));
    }

    /// <summary>Reserves <paramref name="length"/> zeroed bytes (a family header such as ifinfomsg) and returns them.</summary>
    public Span<byte> Reserve(int length)
    {
        Ensure(length);
        var span = _buffer.AsSpan(_length, length);
        span.Clear();
        _length += length;
        return span;
    }

    public void WriteAttribute(ushort type, ReadOnlySpan<byte> payload)
    {
        var length = NetlinkProtocol.AttributeHeaderLength + payload.Length;
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"attribute {type} of {payload.Length} bytes does not fit a netlink attribute");
        }

        var span = Reserve(NetlinkProtocol.Align(length));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        payload.CopyTo(span[4..]);
    }

    public void WriteU8(ushort type, byte value) => WriteAttribute(type, [value]);

    public void WriteU16(ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        WriteAttribute(type, bytes);
    }

    public void WriteU16BigEndian(ushort type, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        WriteAttribute(type, bytes);
    }

    public void WriteU32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        WriteAttribute(type, bytes);
    }

    public void WriteU32BigEndian(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        WriteAttribute(type, bytes);
    }

    public void WriteU64BigEndian(ushort type, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        WriteAttribute(type, bytes);
    }

    /// <summary>A NUL-terminated string attribute.</summary>
    public void WriteString(ushort type, string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        var length = NetlinkProtocol.AttributeHeaderLength + byteCount + 1;
        if (length > ushort.MaxValue)
        {
            throw new InvalidOperationException($"string attribute {type} is too long");
        }

        var span = Reserve(NetlinkProtocol.Align(length));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], type);
        Encoding.UTF8.GetBytes(value, span[4..]);
    }

    /// <summary>Starts a nested attribute (NLA_F_NESTED set); returns its offset for <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        var start = _length;
        var span = Reserve(NetlinkProtocol.AttributeHeaderLength);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], (ushort)(type | NetlinkProtocol.AttributeNested));
        return start;
    }

    /// <summary>Closes a nested attribute; a nest past 64 KiB cannot be expressed and throws.</summary>
    public void EndNested(int start)
    {
        var length = _length - start;
        if (length > ushort.MaxValue)
        {
            var type = BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(start + 2)) & NetlinkProtocol.AttributeTypeMask;
            throw new InvalidOperationException(
                $"nested attribute {type} is {length} bytes; a netlink attribute holds at most {ushort.MaxValue} (split it across messages)");
        }

        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(start), (ushort)length);
    }

    /// <summary>Raw bytes appended as they are (a prebuilt message, a copied header).</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Pad()
    {
        var padding = NetlinkProtocol.Align(_length) - _length;
        if (padding > 0)
        {
            Reserve(padding);
        }
    }

    private void Ensure(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }
}
