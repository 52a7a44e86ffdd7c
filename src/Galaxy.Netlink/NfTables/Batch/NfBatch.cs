using System.Globalization;
using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// An ordered nf_tables transaction: tables, chains, sets, elements and rules, encoded purely between
/// BATCH_BEGIN and BATCH_END and committed all-or-nothing by <see cref="NfTablesClient.Commit"/>.
/// Flags are those nft 1.0.6 sends (README §1.3); NLM_F_ACK goes on the last real message only, so a
/// batch of thousands of rules cannot overflow the receive buffer. Each message keeps a description and
/// its <c>nft</c> command (logged on commit) and, for rules, where each expression sits.
/// </summary>
public sealed partial class NfBatch
{
    /// <summary>Largest LIST_ELEMENTS nest we build (the u16 attribute length caps it at 64 KiB).</summary>
    internal const int MaxElementListBytes = 60 * 1024;

    private const ushort Request = NetlinkProtocol.FlagRequest;
    private const ushort Create = NetlinkProtocol.FlagCreate;

    private readonly List<NfBatchMessage> _messages = [];
    private readonly Dictionary<(NfFamily, string, string), NfSetReference> _setsAdded = [];
    private readonly Dictionary<(NfFamily, string, string), NfBaseChain> _chainsAdded = [];
    private uint _nextSetId = 1;

    /// <summary>How many messages the batch holds (BEGIN/END excluded).</summary>
    public int Count => _messages.Count;

    /// <summary>Each message's <c>nft</c> equivalent, in order.</summary>
    public IReadOnlyList<string> Commands => _messages.Select(m => m.Command).ToList();

    /// <summary>Each message in words, in order.</summary>
    public IReadOnlyList<string> Descriptions => _messages.Select(m => m.Description).ToList();

    /// <summary>
    /// <c>add table</c> (REQUEST only); <paramref name="exclusive"/> makes it <c>create table</c> (EXCL: EEXIST if it
    /// exists). <paramref name="owner"/> sets NFT_TABLE_F_OWNER, which removes the table when the socket
    /// closes — never for the kill-switch table.
    /// </summary>
    public NfBatch AddTable(NfFamily family, string name, bool exclusive = false, bool owner = false)
    {
        Require(name, nameof(name));
        var flags = exclusive ? (ushort)(Request | NetlinkProtocol.FlagExclusive) : Request;
        var tableFlags = owner ? 2u : 0u;
        var verb = exclusive ? "create" : "add";
        return Add($"{verb} table {NfNames.Family(family)} {name}", $"{verb} table {NfNames.Family(family)} {name}{(owner ? " { flags owner; }" : "")}",
            (w, seq, extra) => { NfMessages.Table(w, NfTablesProtocol.NewTable, (ushort)(flags | extra), seq, family, name, tableFlags); return null; });
    }

    /// <summary><c>delete table</c>: ENOENT when it does not exist.</summary>
    public NfBatch DeleteTable(NfFamily family, string name) => TableMessage(NfTablesProtocol.DelTable, "delete", family, name);

    /// <summary><c>destroy table</c> (DESTROYTABLE 26, kernel ≥ 6.3): deletes it if it exists, no error otherwise.</summary>
    public NfBatch DestroyTable(NfFamily family, string name) => TableMessage(NfTablesProtocol.DestroyTable, "destroy", family, name);

    /// <summary><c>flush table</c>: removes every rule of the table (a DELRULE carrying only the table).</summary>
    public NfBatch FlushTable(NfFamily family, string name)
    {
        Require(name, nameof(name));
        return Add($"flush table {NfNames.Family(family)} {name}", $"flush table {NfNames.Family(family)} {name}",
            (w, seq, extra) => { NfMessages.DeleteRule(w, (ushort)(Request | extra), seq, family, name, null, null); return null; });
    }

    /// <summary><c>add chain</c> for a base chain (type, hook, priority, policy).</summary>
    public NfBatch AddBaseChain(NfFamily family, string table, string name, NfBaseChain baseChain)
    {
        Require(table, nameof(table));
        Require(name, nameof(name));
        ArgumentNullException.ThrowIfNull(baseChain);
        var command = string.Create(CultureInfo.InvariantCulture,
            $"add chain {NfNames.Family(family)} {table} {name} {{ type {NfNames.ChainType(baseChain.Type)} hook {NfNames.Hook(baseChain.Hook)} priority {baseChain.Priority}; policy {(baseChain.Policy == NfChainPolicy.Accept ? "accept" : "drop")}; }}");
        _chainsAdded[(family, table, name)] = baseChain;
        return Add($"base chain {name} in table {table}", command,
            (w, seq, extra) => { NfMessages.Chain(w, (ushort)(Request | Create | extra), seq, family, table, name, baseChain); return null; });
    }

    /// <summary><c>add chain</c> for a regular chain (a jump/goto target).</summary>
    public NfBatch AddChain(NfFamily family, string table, string name)
    {
        Require(table, nameof(table));
        Require(name, nameof(name));
        return Add($"chain {name} in table {table}", $"add chain {NfNames.Family(family)} {table} {name}",
            (w, seq, extra) => { NfMessages.Chain(w, (ushort)(Request | Create | extra), seq, family, table, name, null); return null; });
    }

    /// <summary><c>delete chain</c>: ENOENT when missing, EBUSY while rules or jumps use it.</summary>
    public NfBatch DeleteChain(NfFamily family, string table, string name)
    {
        Require(table, nameof(table));
        Require(name, nameof(name));
        var command = $"delete chain {NfNames.Family(family)} {table} {name}";
        return Add(command, command, (w, seq, extra) => { NfMessages.DeleteNamed(w, NfTablesProtocol.DelChain, (ushort)(Request | extra), seq, family, table, NfTablesProtocol.ChainName, name); return null; });
    }

    /// <summary><c>delete set</c>: ENOENT when missing, EBUSY while a rule looks it up.</summary>
    public NfBatch DeleteSet(NfFamily family, string table, string name)
    {
        Require(table, nameof(table));
        Require(name, nameof(name));
        var command = $"delete set {NfNames.Family(family)} {table} {name}";
        return Add(command, command, (w, seq, extra) => { NfMessages.DeleteNamed(w, NfTablesProtocol.DelSet, (ushort)(Request | extra), seq, family, table, NfTablesProtocol.SetName, name); return null; });
    }

    private NfBatch TableMessage(byte message, string verb, NfFamily family, string name)
    {
        Require(name, nameof(name));
        return Add($"{verb} table {NfNames.Family(family)} {name}", $"{verb} table {NfNames.Family(family)} {name}",
            (w, seq, extra) => { NfMessages.Table(w, message, (ushort)(Request | extra), seq, family, name, null); return null; });
    }

    private NfBatch Add(string description, string command, NfMessageEncoder encode)
    {
        _messages.Add(new NfBatchMessage(description, command, encode));
        return this;
    }

    private static void Require(string value, string name) => ArgumentException.ThrowIfNullOrEmpty(value, name);
}
