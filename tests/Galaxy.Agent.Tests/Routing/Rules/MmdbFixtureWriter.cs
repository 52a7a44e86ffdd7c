using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Galaxy.Agent.Tests.Routing.Rules;

/// <summary>
/// Writes a tiny MaxMind DB (format 2.0) for tests: an IPv6 search tree, 24-bit records, IPv4 networks
/// under ::/96, each network's record <c>{"country": {"iso_code": CC}}</c>.
/// Layout: search tree (node_count * 6 bytes; a record &lt; node_count is a node, == node_count is "no
/// data", &gt; node_count points at data offset record - node_count - 16), 16 zero bytes, data section,
/// then "\xAB\xCD\xEFMaxMind.com" and the metadata map.
/// </summary>
internal static class MmdbFixtureWriter
{
    public static byte[] Write(params (string Network, string Country)[] entries) => Write(flat: false, entries);

    /// <summary>With <paramref name="flat"/>, records are ip-location-db's <c>{"country_code": CC}</c> instead of MaxMind's layout.</summary>
    public static byte[] Write(bool flat, params (string Network, string Country)[] entries)
    {
        var root = new Node();
        var data = new MemoryStream();
        var offsets = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (text, country) in entries)
        {
            if (!offsets.TryGetValue(country, out var offset))
            {
                offset = (int)data.Length;
                offsets[country] = offset;
                WriteMap(data, 1);
                if (flat)
                {
                    WriteString(data, "country_code");
                    WriteString(data, country);
                }
                else
                {
                    WriteString(data, "country");
                    WriteMap(data, 1);
                    WriteString(data, "iso_code");
                    WriteString(data, country);
                }
            }

            var network = IPNetwork.Parse(text);
            var bytes = new byte[16];
            int length;
            if (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                network.BaseAddress.GetAddressBytes().CopyTo(bytes, 12);
                length = 96 + network.PrefixLength;
            }
            else
            {
                bytes = network.BaseAddress.GetAddressBytes();
                length = network.PrefixLength;
            }

            var node = root;
            for (var bit = 0; bit < length; bit++)
            {
                var right = (bytes[bit / 8] & (0x80 >> (bit % 8))) != 0;
                if (bit == length - 1)
                {
                    if (right)
                    {
                        node.RightData = offset;
                    }
                    else
                    {
                        node.LeftData = offset;
                    }
                }
                else
                {
                    node = right ? node.Right ??= new Node() : node.Left ??= new Node();
                }
            }
        }

        var nodes = new List<Node>();
        var queue = new Queue<Node>([root]);
        while (queue.TryDequeue(out var n))
        {
            n.Number = nodes.Count;
            nodes.Add(n);
            if (n.Left is not null)
            {
                queue.Enqueue(n.Left);
            }

            if (n.Right is not null)
            {
                queue.Enqueue(n.Right);
            }
        }

        var count = nodes.Count;
        var output = new MemoryStream();
        foreach (var n in nodes)
        {
            WriteRecord(output, n.Left is not null ? n.Left.Number : n.LeftData is { } l ? count + 16 + l : count);
            WriteRecord(output, n.Right is not null ? n.Right.Number : n.RightData is { } r ? count + 16 + r : count);
        }

        output.Write(new byte[16]);
        data.Position = 0;
        data.CopyTo(output);
        output.Write([0xAB, 0xCD, 0xEF]);
        output.Write("MaxMind.com"u8);
        WriteMap(output, 9);
        WriteString(output, "node_count");
        WriteUnsigned(output, 6, (ulong)count);
        WriteString(output, "record_size");
        WriteUnsigned(output, 5, 24);
        WriteString(output, "ip_version");
        WriteUnsigned(output, 5, 6);
        WriteString(output, "database_type");
        WriteString(output, "Galaxy-Test-Country");
        WriteString(output, "languages");
        WriteControl(output, 11, 1);
        WriteString(output, "en");
        WriteString(output, "binary_format_major_version");
        WriteUnsigned(output, 5, 2);
        WriteString(output, "binary_format_minor_version");
        WriteUnsigned(output, 5, 0);
        WriteString(output, "build_epoch");
        WriteUnsigned(output, 9, 1_764_000_000);
        WriteString(output, "description");
        WriteMap(output, 1);
        WriteString(output, "en");
        WriteString(output, "Galaxy test fixture");
        return output.ToArray();
    }

    private static void WriteRecord(Stream s, int value)
    {
        Span<byte> b = stackalloc byte[3];
        b[0] = (byte)(value >> 16);
        b[1] = (byte)(value >> 8);
        b[2] = (byte)value;
        s.Write(b);
    }

    private static void WriteMap(Stream s, int entries) => WriteControl(s, 7, entries);

    private static void WriteString(Stream s, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        WriteControl(s, 2, bytes.Length);
        s.Write(bytes);
    }

    private static void WriteUnsigned(Stream s, int type, ulong value)
    {
        var size = 0;
        for (var v = value; v != 0; v >>= 8)
        {
            size++;
        }

        WriteControl(s, type, size);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(b, value);
        s.Write(b[(8 - size)..]);
    }

    // Control byte: type in the top 3 bits (0 = extended: the type - 7 follows in the next byte), size in the low 5 (< 29 only here).
    private static void WriteControl(Stream s, int type, int size)
    {
        if (size >= 29)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "the fixture writer only writes sizes below 29");
        }

        if (type <= 7)
        {
            s.WriteByte((byte)((type << 5) | size));
        }
        else
        {
            s.WriteByte((byte)size);
            s.WriteByte((byte)(type - 7));
        }
    }

    private sealed class Node
    {
        public Node? Left;
        public Node? Right;
        public int? LeftData;
        public int? RightData;
        public int Number;
    }
}
