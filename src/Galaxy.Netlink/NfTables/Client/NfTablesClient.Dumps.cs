using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

public sealed partial class NfTablesClient
{
    /// <summary>Every table, or those of one family (GETTABLE with NLM_F_DUMP).</summary>
    public IReadOnlyList<NfTableInfo> ListTables(NfFamily? family = null) =>
        _socket.Dump(_writer, (w, seq) => Request(w, NfTablesProtocol.GetTable, seq, family ?? NfFamily.Unspecified, null, null),
            (NetlinkMessage m, out NfTableInfo value) => ParseTable(m, out value), "listing nf_tables tables");

    /// <summary>The chains of one table.</summary>
    public IReadOnlyList<NfChainInfo> ListChains(NfFamily family, string table)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        var all = _socket.Dump(_writer, (w, seq) => Request(w, NfTablesProtocol.GetChain, seq, family, null, null),
            (NetlinkMessage m, out NfChainInfo value) => ParseChain(m, out value), $"listing chains of table {NfNames.Family(family)} {table}");
        return all.Where(c => c.Table == table).ToList();
    }

    /// <summary>The rules of one chain, in order, with handles, expressions and counters.</summary>
    public IReadOnlyList<NfRuleInfo> ListRules(NfFamily family, string table, string chain)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentException.ThrowIfNullOrEmpty(chain);
        var all = _socket.Dump(_writer,
            (w, seq) => Request(w, NfTablesProtocol.GetRule, seq, family, (NfTablesProtocol.RuleTable, table), (NfTablesProtocol.RuleChain, chain)),
            (NetlinkMessage m, out NfRuleInfo value) => ParseRule(m, out value), $"listing rules of chain {NfNames.Family(family)} {table} {chain}");
        return all.Where(r => r.Table == table && r.Chain == chain).ToList();
    }

    /// <summary>The sets of one table (anonymous ones included).</summary>
    public IReadOnlyList<NfSetInfo> ListSets(NfFamily family, string table)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        var all = _socket.Dump(_writer, (w, seq) => Request(w, NfTablesProtocol.GetSet, seq, family, (NfTablesProtocol.SetTable, table), null),
            (NetlinkMessage m, out NfSetInfo value) => ParseSet(m, out value), $"listing sets of table {NfNames.Family(family)} {table}");
        return all.Where(s => s.Table == table).ToList();
    }

    /// <summary>The elements of one set as the kernel holds them (interval sets: start and END elements).</summary>
    public IReadOnlyList<NfSetElement> ListSetElements(NfFamily family, string table, string set)
    {
        ArgumentException.ThrowIfNullOrEmpty(table);
        ArgumentException.ThrowIfNullOrEmpty(set);
        var batches = _socket.Dump(_writer,
            (w, seq) => Request(w, NfTablesProtocol.GetSetElem, seq, family, (NfTablesProtocol.ElementListTable, table), (NfTablesProtocol.ElementListSet, set)),
            (NetlinkMessage m, out List<NfSetElement> value) => ParseElements(m, out value), $"listing elements of set {NfNames.Family(family)} {table} {set}");
        return batches.SelectMany(b => b).ToList();
    }

    /// <summary>The elements of an interval address set read back as prefixes (ascending).</summary>
    public IReadOnlyList<System.Net.IPNetwork> ListSetPrefixes(NfFamily family, string table, string set) =>
        NfIntervals.ToPrefixes(ListSetElements(family, table, set));

    /// <summary>A GET* dump request: header with NLM_F_DUMP, nfgenmsg, optional filter strings.</summary>
    private static void Request(NetlinkWriter writer, byte message, uint sequence, NfFamily family, (ushort Type, string Value)? first, (ushort Type, string Value)? second)
    {
        var start = NfMessages.Begin(writer, NfTablesProtocol.MessageType(message),
            NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagDump, sequence, family);
        if (first is { } a)
        {
            writer.WriteString(a.Type, a.Value);
        }

        if (second is { } b)
        {
            writer.WriteString(b.Type, b.Value);
        }

        writer.EndMessage(start);
    }

    private static NfFamily FamilyOf(NetlinkMessage message) => message.Payload.Length > 0 ? (NfFamily)message.Payload[0] : NfFamily.Unspecified;

    private static bool ParseTable(NetlinkMessage message, out NfTableInfo value)
    {
        value = null!;
        if (message.Type != NfTablesProtocol.MessageType(NfTablesProtocol.NewTable))
        {
            return false;
        }

        string name = "";
        uint flags = 0, use = 0;
        ulong handle = 0;
        foreach (var a in message.Attributes(NfTablesProtocol.GenMessageLength))
        {
            switch (a.Type)
            {
                case NfTablesProtocol.TableName: name = a.AsString(); break;
                case NfTablesProtocol.TableFlags: flags = a.U32BigEndian; break;
                case NfTablesProtocol.TableUse: use = a.U32BigEndian; break;
                case NfTablesProtocol.TableHandle: handle = a.U64BigEndian; break;
            }
        }

        value = new NfTableInfo(FamilyOf(message), name, flags, handle, use);
        return true;
    }

    private static bool ParseChain(NetlinkMessage message, out NfChainInfo value)
    {
        value = null!;
        if (message.Type != NfTablesProtocol.MessageType(NfTablesProtocol.NewChain))
        {
            return false;
        }

        string table = "", name = "";
        string? type = null;
        ulong handle = 0;
        uint use = 0, policy = 1;
        uint? hook = null;
        var priority = 0;
        foreach (var a in message.Attributes(NfTablesProtocol.GenMessageLength))
        {
            switch (a.Type)
            {
                case NfTablesProtocol.ChainTable: table = a.AsString(); break;
                case NfTablesProtocol.ChainName: name = a.AsString(); break;
                case NfTablesProtocol.ChainHandle: handle = a.U64BigEndian; break;
                case NfTablesProtocol.ChainPolicy: policy = a.U32BigEndian; break;
                case NfTablesProtocol.ChainType: type = a.AsString(); break;
                case 6: use = a.U32BigEndian; break; // NFTA_CHAIN_USE
                case NfTablesProtocol.ChainHook:
                    foreach (var h in a.Nested())
                    {
                        if (h.Type == NfTablesProtocol.HookNumber)
                        {
                            hook = h.U32BigEndian;
                        }
                        else if (h.Type == NfTablesProtocol.HookPriority)
                        {
                            priority = unchecked((int)h.U32BigEndian);
                        }
                    }

                    break;
            }
        }

        var baseChain = hook is { } number
            ? new NfBaseChain(NfNames.ParseChainType(type ?? "filter"), (NfHook)number, priority, (NfChainPolicy)policy)
            : null;
        value = new NfChainInfo(FamilyOf(message), table, name, handle, baseChain, use);
        return true;
    }

    private static bool ParseRule(NetlinkMessage message, out NfRuleInfo value)
    {
        value = null!;
        if (message.Type != NfTablesProtocol.MessageType(NfTablesProtocol.NewRule))
        {
            return false;
        }

        string table = "", chain = "";
        string? comment = null;
        ulong handle = 0;
        List<NfExpression> expressions = [];
        foreach (var a in message.Attributes(NfTablesProtocol.GenMessageLength))
        {
            switch (a.Type)
            {
                case NfTablesProtocol.RuleTable: table = a.AsString(); break;
                case NfTablesProtocol.RuleChain: chain = a.AsString(); break;
                case NfTablesProtocol.RuleHandle: handle = a.U64BigEndian; break;
                case NfTablesProtocol.RuleExpressions: expressions = NfExpressionDecoder.DecodeList(a); break;
                case NfTablesProtocol.RuleUserData: comment = NfMessages.ReadComment(a.Payload); break;
            }
        }

        value = new NfRuleInfo(FamilyOf(message), table, chain, handle, expressions, comment);
        return true;
    }

    private static bool ParseSet(NetlinkMessage message, out NfSetInfo value)
    {
        value = null!;
        if (message.Type != NfTablesProtocol.MessageType(NfTablesProtocol.NewSet))
        {
            return false;
        }

        string table = "", name = "";
        uint flags = 0, keyType = 0, keyLength = 0;
        ulong handle = 0;
        foreach (var a in message.Attributes(NfTablesProtocol.GenMessageLength))
        {
            switch (a.Type)
            {
                case NfTablesProtocol.SetTable: table = a.AsString(); break;
                case NfTablesProtocol.SetName: name = a.AsString(); break;
                case NfTablesProtocol.SetFlags: flags = a.U32BigEndian; break;
                case NfTablesProtocol.SetKeyType: keyType = a.U32BigEndian; break;
                case NfTablesProtocol.SetKeyLength: keyLength = a.U32BigEndian; break;
                case 16: handle = a.U64BigEndian; break; // NFTA_SET_HANDLE
            }
        }

        value = new NfSetInfo(FamilyOf(message), table, name, flags, keyType, keyLength, handle);
        return true;
    }

    private static bool ParseElements(NetlinkMessage message, out List<NfSetElement> value)
    {
        value = [];
        if (message.Type != NfTablesProtocol.MessageType(NfTablesProtocol.NewSetElem))
        {
            return false;
        }

        foreach (var a in message.Attributes(NfTablesProtocol.GenMessageLength))
        {
            if (a.Type != NfTablesProtocol.ElementListElements)
            {
                continue;
            }

            foreach (var element in a.Nested())
            {
                byte[] key = [];
                var end = false;
                foreach (var field in element.Nested())
                {
                    if (field.Type == NfTablesProtocol.ElementKey)
                    {
                        key = NfData.ReadValue(field);
                    }
                    else if (field.Type == NfTablesProtocol.ElementFlags)
                    {
                        end = (field.U32BigEndian & NfTablesProtocol.ElementFlagIntervalEnd) != 0;
                    }
                }

                value.Add(new NfSetElement(key, end));
            }
        }

        return true;
    }
}
