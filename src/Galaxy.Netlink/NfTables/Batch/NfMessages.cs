using System.Text;
using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// Pure encoders of nf_tables messages, attribute order as nft 1.0.6 / libnftnl send them.
/// <code>
/// nlmsghdr { len, type = (10 &lt;&lt; 8) | NFT_MSG_*, flags, seq, pid 0 }
/// nfgenmsg { u8 family, u8 version 0, be16 res_id }            res_id 0, or htons(10) in BEGIN/END
/// attributes (integers be32, handles be64, strings NUL-terminated)
/// </code>
/// </summary>
internal static class NfMessages
{
    private const ushort Request = NetlinkProtocol.FlagRequest;

    /// <summary>Header plus nfgenmsg; returns the message start for <see cref="NetlinkWriter.EndMessage"/>.</summary>
    public static int Begin(NetlinkWriter writer, ushort type, ushort flags, uint sequence, NfFamily family, ushort resourceId = 0)
    {
        var start = writer.BeginMessage(type, flags, sequence);
        var header = writer.Reserve(NfTablesProtocol.GenMessageLength);
        header[0] = (byte)family;
        header[2] = (byte)(resourceId >> 8);
        header[3] = (byte)resourceId;
        return start;
    }

    /// <summary>BATCH_BEGIN: REQUEST, family 0, res_id htons(10), optional NFNL_BATCH_GENID (be32).</summary>
    public static void BatchBegin(NetlinkWriter writer, uint sequence, uint? generation)
    {
        var start = Begin(writer, NfTablesProtocol.BatchBegin, Request, sequence, NfFamily.Unspecified, NfTablesProtocol.Subsystem);
        if (generation is { } id)
        {
            writer.WriteU32BigEndian(NfTablesProtocol.BatchGenerationId, id);
        }

        writer.EndMessage(start);
    }

    /// <summary>BATCH_END: REQUEST, family 0, res_id htons(10).</summary>
    public static void BatchEnd(NetlinkWriter writer, uint sequence) =>
        writer.EndMessage(Begin(writer, NfTablesProtocol.BatchEnd, Request, sequence, NfFamily.Unspecified, NfTablesProtocol.Subsystem));

    /// <summary>NEWTABLE: NAME 1, FLAGS 2 (always, as nft does). DEL/DESTROYTABLE: NAME 1.</summary>
    public static void Table(NetlinkWriter writer, byte message, ushort flags, uint sequence, NfFamily family, string name, uint? tableFlags)
    {
        var start = Begin(writer, NfTablesProtocol.MessageType(message), flags, sequence, family);
        writer.WriteString(NfTablesProtocol.TableName, name);
        if (tableFlags is { } f)
        {
            writer.WriteU32BigEndian(NfTablesProtocol.TableFlags, f);
        }

        writer.EndMessage(start);
    }

    /// <summary>
    /// NEWCHAIN: TABLE 1, NAME 3, then for a base chain TYPE 7, POLICY 5, HOOK 4 { HOOKNUM 1, PRIORITY 2 (signed be32) }.
    /// </summary>
    public static void Chain(NetlinkWriter writer, ushort flags, uint sequence, NfFamily family, string table, string name, NfBaseChain? baseChain)
    {
        var start = Begin(writer, NfTablesProtocol.MessageType(NfTablesProtocol.NewChain), flags, sequence, family);
        writer.WriteString(NfTablesProtocol.ChainTable, table);
        writer.WriteString(NfTablesProtocol.ChainName, name);
        if (baseChain is not null)
        {
            writer.WriteString(NfTablesProtocol.ChainType, NfNames.ChainType(baseChain.Type));
            writer.WriteU32BigEndian(NfTablesProtocol.ChainPolicy, (uint)baseChain.Policy);
            var hook = writer.BeginNested(NfTablesProtocol.ChainHook);
            writer.WriteU32BigEndian(NfTablesProtocol.HookNumber, (uint)baseChain.Hook);
            writer.WriteU32BigEndian(NfTablesProtocol.HookPriority, unchecked((uint)baseChain.Priority));
            writer.EndNested(hook);
        }

        writer.EndMessage(start);
    }

    /// <summary>
    /// NEWSET: TABLE 1, NAME 2, FLAGS 3, KEY_TYPE 4, KEY_LEN 5, ID 10, [DESC 9 { SIZE 1 }], USERDATA 13.
    /// </summary>
    public static void Set(NetlinkWriter writer, ushort flags, uint sequence, NfFamily family, string table, string name,
        uint setFlags, NfSetKeyType keyType, uint id, uint? size, ReadOnlySpan<byte> userData)
    {
        var start = Begin(writer, NfTablesProtocol.MessageType(NfTablesProtocol.NewSet), flags, sequence, family);
        writer.WriteString(NfTablesProtocol.SetTable, table);
        writer.WriteString(NfTablesProtocol.SetName, name);
        writer.WriteU32BigEndian(NfTablesProtocol.SetFlags, setFlags);
        writer.WriteU32BigEndian(NfTablesProtocol.SetKeyType, keyType.TypeId);
        writer.WriteU32BigEndian(NfTablesProtocol.SetKeyLength, keyType.Length);
        writer.WriteU32BigEndian(NfTablesProtocol.SetId, id);
        if (size is { } s)
        {
            var description = writer.BeginNested(NfTablesProtocol.SetDescription);
            writer.WriteU32BigEndian(NfTablesProtocol.SetDescriptionSize, s);
            writer.EndNested(description);
        }

        writer.WriteAttribute(NfTablesProtocol.SetUserData, userData);
        writer.EndMessage(start);
    }

    /// <summary>
    /// NEW/DELSETELEM: LIST_TABLE 1, LIST_SET 2, [LIST_SET_ID 4], LIST_ELEMENTS 3 { i+1 { [FLAGS 3], KEY 1 { VALUE 1 } } }.
    /// libnftnl numbers each element nest by its position (1, 2, ...); the kernel ignores the number.
    /// </summary>
    public static void SetElements(NetlinkWriter writer, byte message, ushort flags, uint sequence, NfFamily family, string table,
        string set, uint? setId, IReadOnlyList<NfSetElement> elements, int first, int count)
    {
        var start = Begin(writer, NfTablesProtocol.MessageType(message), flags, sequence, family);
        writer.WriteString(NfTablesProtocol.ElementListTable, table);
        writer.WriteString(NfTablesProtocol.ElementListSet, set);
        if (setId is { } id)
        {
            writer.WriteU32BigEndian(NfTablesProtocol.ElementListSetId, id);
        }

        var list = writer.BeginNested(NfTablesProtocol.ElementListElements);
        for (var i = 0; i < count; i++)
        {
            var element = elements[first + i];
            var nest = writer.BeginNested((ushort)((i % NetlinkProtocol.AttributeTypeMask) + 1));
            if (element.IntervalEnd)
            {
                writer.WriteU32BigEndian(NfTablesProtocol.ElementFlags, NfTablesProtocol.ElementFlagIntervalEnd);
            }

            NfData.WriteValue(writer, NfTablesProtocol.ElementKey, element.Key.Span);
            writer.EndNested(nest);
        }

        writer.EndNested(list);
        writer.EndMessage(start);
    }

    /// <summary>The bytes one element takes inside LIST_ELEMENTS (for splitting lists below 64 KiB).</summary>
    public static int ElementSize(NfSetElement element) =>
        4 + (element.IntervalEnd ? 8 : 0) + 4 + NetlinkProtocol.Align(4 + element.Key.Length);

    /// <summary>
    /// NEWRULE: TABLE 1, CHAIN 2, EXPRESSIONS 4 { LIST_ELEM 1 { NAME, DATA } ... }, [USERDATA 7 = comment TLV].
    /// Returns where each expression sits in the message.
    /// </summary>
    public static NfExpressionLayout Rule(NetlinkWriter writer, ushort flags, uint sequence, NfFamily family, string table, string chain, NfRule rule, int hookSuspect = -1)
    {
        var start = Begin(writer, NfTablesProtocol.MessageType(NfTablesProtocol.NewRule), flags, sequence, family);
        writer.WriteString(NfTablesProtocol.RuleTable, table);
        writer.WriteString(NfTablesProtocol.RuleChain, chain);
        var layout = new NfExpressionLayout { HookSuspect = hookSuspect };
        var list = writer.BeginNested(NfTablesProtocol.RuleExpressions);
        foreach (var expression in rule.Expressions)
        {
            var at = writer.Length - start;
            expression.Encode(writer);
            layout.Add(at, writer.Length - start, expression.Name);
        }

        writer.EndNested(list);
        if (rule.Comment is not null)
        {
            writer.WriteAttribute(NfTablesProtocol.RuleUserData, CommentUserData(rule.Comment));
        }

        writer.EndMessage(start);
        return layout;
    }

    /// <summary>DELRULE: TABLE 1, CHAIN 2, HANDLE 3 (be64); with only TABLE it flushes the table's rules.</summary>
    public static void DeleteRule(NetlinkWriter writer, ushort flags, uint sequence, NfFamily family, string table, string? chain, ulong? handle)
    {
        var start = Begin(writer, NfTablesProtocol.MessageType(NfTablesProtocol.DelRule), flags, sequence, family);
        writer.WriteString(NfTablesProtocol.RuleTable, table);
        if (chain is not null)
        {
            writer.WriteString(NfTablesProtocol.RuleChain, chain);
        }

        if (handle is { } h)
        {
            writer.WriteU64BigEndian(NfTablesProtocol.RuleHandle, h);
        }

        writer.EndMessage(start);
    }

    /// <summary>DELCHAIN / DELSET: TABLE 1, then the object's NAME (chain 3, set 2).</summary>
    public static void DeleteNamed(NetlinkWriter writer, byte message, ushort flags, uint sequence, NfFamily family, string table, ushort nameAttribute, string name)
    {
        var start = Begin(writer, NfTablesProtocol.MessageType(message), flags, sequence, family);
        writer.WriteString(1, table); // NFTA_CHAIN_TABLE / NFTA_SET_TABLE
        writer.WriteString(nameAttribute, name);
        writer.EndMessage(start);
    }

    /// <summary>nft's rule USERDATA: NFTNL_UDATA_RULE_COMMENT (0), u8 length, the text NUL-terminated.</summary>
    public static byte[] CommentUserData(string comment)
    {
        var text = Encoding.UTF8.GetBytes(comment);
        if (text.Length > 127)
        {
            throw new ArgumentException($"a rule comment holds at most 127 bytes, not {text.Length}", nameof(comment));
        }

        var bytes = new byte[text.Length + 3];
        bytes[1] = (byte)(text.Length + 1);
        text.CopyTo(bytes, 2);
        return bytes;
    }

    /// <summary>Reads nft's comment back from rule USERDATA.</summary>
    public static string? ReadComment(ReadOnlySpan<byte> userData)
    {
        while (userData.Length >= 2)
        {
            var length = userData[1];
            if (userData.Length < 2 + length)
            {
                break;
            }

            if (userData[0] == 0)
            {
                var value = userData.Slice(2, length);
                var end = value.IndexOf((byte)0);
                return Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
            }

            userData = userData[(2 + length)..];
        }

        return null;
    }
}
