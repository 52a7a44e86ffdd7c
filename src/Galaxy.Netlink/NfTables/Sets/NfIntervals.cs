using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// Turns address prefixes into interval-set elements as nft 1.0.6 does: a leading all-zero END element
/// (when the first range does not start at zero), then per range a start element (no flags) and an end
/// element holding last+1 with INTERVAL_END; a range reaching the top of the space gets only its start.
/// Overlapping and adjacent prefixes are merged first (the kernel refuses overlaps).
/// </summary>
internal static class NfIntervals
{
    public static List<NfSetElement> FromPrefixes(IEnumerable<IPNetwork> prefixes, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetwork ? 4 : 16;
        var ranges = new List<(UInt128 Start, UInt128 Last)>();
        foreach (var prefix in prefixes)
        {
            if (prefix.BaseAddress.AddressFamily != family)
            {
                throw new ArgumentException($"prefix {prefix} is not {(length == 4 ? "IPv4" : "IPv6")}", nameof(prefixes));
            }

            var start = ToNumber(prefix.BaseAddress.GetAddressBytes());
            var hostBits = (length * 8) - prefix.PrefixLength;
            var span = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
            ranges.Add((start, start + span));
        }

        ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<(UInt128 Start, UInt128 Last)>();
        foreach (var range in ranges)
        {
            if (merged.Count > 0 && (merged[^1].Last == UInt128.MaxValue || range.Start <= merged[^1].Last + 1))
            {
                var last = merged[^1];
                merged[^1] = (last.Start, range.Last > last.Last ? range.Last : last.Last);
            }
            else
            {
                merged.Add(range);
            }
        }

        var top = length == 4 ? (UInt128)uint.MaxValue : UInt128.MaxValue;
        var elements = new List<NfSetElement>(merged.Count * 2 + 1);
        if (merged.Count > 0 && merged[0].Start != 0)
        {
            elements.Add(new NfSetElement(ToBytes(0, length), IntervalEnd: true));
        }

        foreach (var (start, last) in merged)
        {
            elements.Add(new NfSetElement(ToBytes(start, length)));
            if (last != top)
            {
                elements.Add(new NfSetElement(ToBytes(last + 1, length), IntervalEnd: true));
            }
        }

        return elements;
    }

    /// <summary>Reads interval elements (in any order) back as the prefixes that cover them exactly.</summary>
    public static List<IPNetwork> ToPrefixes(IEnumerable<NfSetElement> elements)
    {
        var sorted = elements.Select(e => (Value: ToNumber(e.Key.Span), e.IntervalEnd, e.Key.Length))
            .OrderBy(e => e.Value).ThenBy(e => e.IntervalEnd ? 0 : 1).ToList();
        var prefixes = new List<IPNetwork>();
        for (var i = 0; i < sorted.Count; i++)
        {
            if (sorted[i].IntervalEnd)
            {
                continue;
            }

            var length = sorted[i].Length;
            var top = length == 4 ? (UInt128)uint.MaxValue : UInt128.MaxValue;
            var start = sorted[i].Value;
            var last = i + 1 < sorted.Count && sorted[i + 1].IntervalEnd ? sorted[i + 1].Value - 1 : top;
            AddCovering(prefixes, start, last, length);
        }

        return prefixes;
    }

    private static void AddCovering(List<IPNetwork> prefixes, UInt128 start, UInt128 last, int length)
    {
        var bits = length * 8;
        while (true)
        {
            var hostBits = 0;
            while (hostBits < bits)
            {
                var size = hostBits + 1 == 128 ? UInt128.MaxValue : (UInt128.One << (hostBits + 1)) - 1;
                if ((start & size) != 0 || start + size > last || start + size < start)
                {
                    break;
                }

                hostBits++;
            }

            prefixes.Add(new IPNetwork(new IPAddress(ToBytes(start, length)), bits - hostBits));
            var blockLast = start + (hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1);
            if (blockLast >= last)
            {
                return;
            }

            start = blockLast + 1;
        }
    }

    private static UInt128 ToNumber(ReadOnlySpan<byte> bytes)
    {
        Span<byte> wide = stackalloc byte[16];
        wide.Clear();
        bytes.CopyTo(wide[(16 - bytes.Length)..]);
        return BinaryPrimitives.ReadUInt128BigEndian(wide);
    }

    private static byte[] ToBytes(UInt128 value, int length)
    {
        Span<byte> wide = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(wide, value);
        return wide[(16 - length)..].ToArray();
    }
}
