using System.Text;

namespace Galaxy.Agent.Dns;

/// <summary>
/// Domain names on the wire (RFC 1035 §3.1, §4.1.4): reading with compression, skipping, writing.
/// Names read are presentation text without the trailing dot ("example.test"; the root is ""), bytes outside
/// printable ASCII and the characters '.' and '\' escaped as \DDD.
/// </summary>
internal static class DnsName
{
    /// <summary>More pointers than a 255-byte name can need: past this, the name loops.</summary>
    private const int MaxPointers = 127;

    /// <summary>
    /// Reads the name at <paramref name="offset"/>, following compression pointers; <paramref name="offset"/>
    /// moves past the name as it stands at that place in the message (a pointer ends it).
    /// </summary>
    public static DnsReadOutcome TryRead(ReadOnlySpan<byte> message, ref int offset, out string name, bool lowercase = false)
    {
        name = string.Empty;
        Span<byte> wire = stackalloc byte[DnsWire.MaxNameLength];
        var outcome = TryReadWire(message, ref offset, wire, out var length);
        if (outcome != DnsReadOutcome.Ok)
        {
            return outcome;
        }

        name = ToText(wire[..length], lowercase);
        return DnsReadOutcome.Ok;
    }

    /// <summary>
    /// Copies the name at <paramref name="offset"/> into <paramref name="destination"/> (at least 255 bytes) in
    /// uncompressed wire form (labels and the final zero byte), following pointers.
    /// </summary>
    public static DnsReadOutcome TryReadWire(ReadOnlySpan<byte> message, ref int offset, Span<byte> destination, out int length)
    {
        length = 0;
        var position = offset;
        var end = -1;
        var pointers = 0;
        while (true)
        {
            if (position >= message.Length)
            {
                return DnsReadOutcome.Truncated;
            }

            var labelLength = message[position];
            switch (labelLength & 0xC0)
            {
                case 0x00:
                    if (length + 1 + labelLength > DnsWire.MaxNameLength)
                    {
                        return DnsReadOutcome.NameTooLong;
                    }

                    if (position + 1 + labelLength > message.Length)
                    {
                        return DnsReadOutcome.Truncated;
                    }

                    message.Slice(position, 1 + labelLength).CopyTo(destination[length..]);
                    length += 1 + labelLength;
                    position += 1 + labelLength;
                    if (labelLength == 0)
                    {
                        offset = end >= 0 ? end : position;
                        return DnsReadOutcome.Ok;
                    }

                    break;
                case 0xC0:
                    if (position + 2 > message.Length)
                    {
                        return DnsReadOutcome.Truncated;
                    }

                    if (++pointers > MaxPointers)
                    {
                        return DnsReadOutcome.BadPointer;
                    }

                    if (end < 0)
                    {
                        end = position + 2;
                    }

                    var target = ((labelLength & 0x3F) << 8) | message[position + 1];
                    if (target >= message.Length)
                    {
                        return DnsReadOutcome.BadPointer;
                    }

                    position = target;
                    break;
                default:
                    return DnsReadOutcome.BadLabel; // 01 (extended labels, RFC 6891 deprecated them) and 10
            }
        }
    }

    /// <summary>Moves <paramref name="offset"/> past the name there without following pointers.</summary>
    public static DnsReadOutcome TrySkip(ReadOnlySpan<byte> message, ref int offset)
    {
        var position = offset;
        while (true)
        {
            if (position >= message.Length)
            {
                return DnsReadOutcome.Truncated;
            }

            var labelLength = message[position];
            switch (labelLength & 0xC0)
            {
                case 0x00:
                    position += 1 + labelLength;
                    if (labelLength == 0)
                    {
                        offset = position;
                        return DnsReadOutcome.Ok;
                    }

                    if (position - offset > DnsWire.MaxNameLength)
                    {
                        return DnsReadOutcome.NameTooLong;
                    }

                    break;
                case 0xC0:
                    if (position + 2 > message.Length)
                    {
                        return DnsReadOutcome.Truncated;
                    }

                    offset = position + 2;
                    return DnsReadOutcome.Ok;
                default:
                    return DnsReadOutcome.BadLabel;
            }
        }
    }

    /// <summary>Compares two uncompressed wire names, ASCII letters without regard to case.</summary>
    public static bool WireEquals(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        for (var i = 0; i < left.Length; i++)
        {
            if (ToLowerAscii(left[i]) != ToLowerAscii(right[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Writes <paramref name="name"/> ("example.test", a trailing dot allowed) in wire form; false when a label is
    /// empty or longer than 63 bytes, the name longer than 255, or it does not fit.
    /// </summary>
    public static bool TryWrite(string name, Span<byte> destination, out int written)
    {
        written = 0;
        var text = name.EndsWith('.') ? name[..^1] : name;
        if (text.Length > 0)
        {
            foreach (var range in text.AsSpan().Split('.'))
            {
                var label = text.AsSpan()[range];
                if (label.Length is 0 or > DnsWire.MaxLabelLength || written + 1 + label.Length + 1 > Math.Min(destination.Length, DnsWire.MaxNameLength))
                {
                    return false;
                }

                destination[written++] = (byte)label.Length;
                foreach (var c in label)
                {
                    if (c > 0x7F)
                    {
                        return false; // IDN names arrive here already in punycode
                    }

                    destination[written++] = (byte)c;
                }
            }
        }

        if (written >= destination.Length)
        {
            return false;
        }

        destination[written++] = 0;
        return true;
    }

    private static string ToText(ReadOnlySpan<byte> wire, bool lowercase)
    {
        if (wire.Length <= 1)
        {
            return string.Empty;
        }

        var text = new StringBuilder(wire.Length);
        var position = 0;
        while (wire[position] != 0)
        {
            if (text.Length > 0)
            {
                text.Append('.');
            }

            var label = wire.Slice(position + 1, wire[position]);
            foreach (var b in label)
            {
                if (b is > 0x20 and < 0x7F and not (byte)'.' and not (byte)'\\')
                {
                    text.Append((char)(lowercase ? ToLowerAscii(b) : b));
                }
                else
                {
                    text.Append('\\').Append((b / 100).ToString(System.Globalization.CultureInfo.InvariantCulture))
                        .Append((b / 10 % 10).ToString(System.Globalization.CultureInfo.InvariantCulture))
                        .Append((b % 10).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            position += 1 + label.Length;
        }

        return text.ToString();
    }

    private static byte ToLowerAscii(byte b) => b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
}
