using System.Buffers.Binary;
using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// NFTA_DATA values: <c>type { NFTA_DATA_VALUE bytes }</c> or <c>type { NFTA_DATA_VERDICT { CODE be32, [CHAIN] } }</c>,
/// plus the hex rendering nft's debug output uses (32-bit words, host order).
/// </summary>
internal static class NfData
{
    public static void WriteValue(NetlinkWriter writer, ushort type, ReadOnlySpan<byte> value)
    {
        var nest = writer.BeginNested(type);
        writer.WriteAttribute(NfTablesProtocol.DataValue, value);
        writer.EndNested(nest);
    }

    public static void WriteVerdict(NetlinkWriter writer, ushort type, NfVerdict verdict)
    {
        var nest = writer.BeginNested(type);
        var inner = writer.BeginNested(NfTablesProtocol.DataVerdict);
        writer.WriteU32BigEndian(NfTablesProtocol.VerdictCode, unchecked((uint)(int)verdict.Code));
        if (verdict.Chain is not null)
        {
            writer.WriteString(NfTablesProtocol.VerdictChain, verdict.Chain);
        }

        writer.EndNested(inner);
        writer.EndNested(nest);
    }

    /// <summary>The VALUE bytes inside a data nest (empty when it holds a verdict).</summary>
    public static byte[] ReadValue(NetlinkAttribute data)
    {
        foreach (var attribute in data.Nested())
        {
            if (attribute.Type == NfTablesProtocol.DataValue)
            {
                return attribute.Payload.ToArray();
            }
        }

        return [];
    }

    public static NfVerdict? ReadVerdict(NetlinkAttribute data)
    {
        foreach (var attribute in data.Nested())
        {
            if (attribute.Type != NfTablesProtocol.DataVerdict)
            {
                continue;
            }

            var code = NfVerdictCode.Continue;
            string? chain = null;
            foreach (var field in attribute.Nested())
            {
                if (field.Type == NfTablesProtocol.VerdictCode)
                {
                    code = (NfVerdictCode)(int)field.U32BigEndian;
                }
                else if (field.Type == NfTablesProtocol.VerdictChain)
                {
                    chain = field.AsString();
                }
            }

            return new NfVerdict(code, chain);
        }

        return null;
    }

    /// <summary>nft's debug rendering: 32-bit words as host-order hex, the last word zero-extended.</summary>
    public static string Hex(ReadOnlySpan<byte> value)
    {
        var words = new List<string>();
        Span<byte> word = stackalloc byte[4];
        for (var i = 0; i < value.Length; i += 4)
        {
            word.Clear();
            value[i..Math.Min(i + 4, value.Length)].CopyTo(word);
            words.Add("0x" + BinaryPrimitives.ReadUInt32LittleEndian(word).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        }

        return string.Join(' ', words);
    }
}
