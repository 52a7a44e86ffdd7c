using System.Buffers.Binary;
using System.Text;

namespace Galaxy.Netlink.Tests.NfTables;

/// <summary>Renders netlink batch bytes as an attribute tree (like galaxy_decoded.txt) for failure messages.</summary>
internal static class BatchText
{
    public static string Decode(ReadOnlySpan<byte> batch)
    {
        var text = new StringBuilder();
        var offset = 0;
        while (offset + 16 <= batch.Length)
        {
            text.Append(DecodeMessage(batch, offset, out var length));
            offset += (length + 3) & ~3;
            if (length < 16)
            {
                break;
            }
        }

        return text.ToString();
    }

    /// <summary>The message that contains <paramref name="position"/>, decoded, with its start offset.</summary>
    public static string DecodeMessageAt(ReadOnlySpan<byte> batch, int position)
    {
        var offset = 0;
        while (offset + 16 <= batch.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(batch[offset..]);
            if (position < offset + length || length < 16)
            {
                return $"message at offset {offset} (byte {position - offset} of it):\n" + DecodeMessage(batch, offset, out _);
            }

            offset += (length + 3) & ~3;
        }

        return "(past the end)";
    }

    private static string DecodeMessage(ReadOnlySpan<byte> batch, int offset, out int length)
    {
        var text = new StringBuilder();
        length = (int)BinaryPrimitives.ReadUInt32LittleEndian(batch[offset..]);
        var type = BinaryPrimitives.ReadUInt16LittleEndian(batch[(offset + 4)..]);
        var flags = BinaryPrimitives.ReadUInt16LittleEndian(batch[(offset + 6)..]);
        var seq = BinaryPrimitives.ReadUInt32LittleEndian(batch[(offset + 8)..]);
        text.Append($"--- type=0x{type:x} flags=0x{flags:x} seq={seq} family={batch[offset + 16]} len={length}\n");
        var end = Math.Min(offset + length, batch.Length);
        if (end > offset + 20)
        {
            Attributes(batch[(offset + 20)..end], 1, text);
        }

        return text.ToString();
    }

    private static void Attributes(ReadOnlySpan<byte> data, int depth, StringBuilder text)
    {
        while (data.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt16LittleEndian(data);
            var type = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
            if (length < 4 || length > data.Length)
            {
                text.Append(' ', depth * 2).Append("(malformed)\n");
                return;
            }

            var payload = data[4..length];
            if ((type & 0x8000) != 0)
            {
                text.Append(' ', depth * 2).Append(type & 0x3fff).Append(" {\n");
                Attributes(payload, depth + 1, text);
                text.Append(' ', depth * 2).Append("}\n");
            }
            else
            {
                text.Append(' ', depth * 2).Append(type & 0x3fff).Append(": ").Append(Convert.ToHexStringLower(payload)).Append('\n');
            }

            data = data[Math.Min((length + 3) & ~3, data.Length)..];
        }
    }
}
