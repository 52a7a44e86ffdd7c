using System.Globalization;
using System.Net;

namespace Galaxy.Netlink.NfTables;

public sealed partial class NfBatch
{
    /// <summary>
    /// <c>add set</c>: a named set (ipv4/ipv6 addresses, optionally intervals for prefixes; ports; protocols;
    /// interface names; marks), with nft's USERDATA so <c>nft list</c> prints it. The returned reference
    /// carries the set's batch id, so rules in this batch find it.
    /// </summary>
    public NfSetReference AddSet(NfFamily family, string table, string name, NfSetKeyType keyType, bool interval = false)
    {
        Require(table, nameof(table));
        Require(name, nameof(name));
        ArgumentNullException.ThrowIfNull(keyType);
        if (name.Contains('%', StringComparison.Ordinal))
        {
            throw new ArgumentException($"set name '{name}' is reserved for anonymous sets", nameof(name));
        }

        var id = _nextSetId++;
        var reference = new NfSetReference(name, keyType, id);
        _setsAdded[(family, table, name)] = reference;
        var flags = interval ? NfTablesProtocol.SetFlagInterval : 0;
        var userData = keyType.ByteOrderUserData();
        var command = $"add set {NfNames.Family(family)} {table} {name} {{ type {keyType.Name};{(interval ? " flags interval;" : "")} }}";
        Add($"set {name} in table {table}", command,
            (w, seq, extra) => { NfMessages.Set(w, (ushort)(Request | Create | extra), seq, family, table, name, flags, keyType, id, null, userData); return null; });
        return reference;
    }

    /// <summary>
    /// Adds an anonymous constant set (<c>__set%d</c>, flags ANON|CONST, DESC SIZE) and its elements; rules of
    /// this batch reach it through the returned reference's id only.
    /// </summary>
    public NfSetReference AddAnonymousSet(NfFamily family, string table, NfAnonymousSet set)
    {
        Require(table, nameof(table));
        ArgumentNullException.ThrowIfNull(set);
        const string name = "__set%d";
        var id = _nextSetId++;
        var keyType = set.KeyType;
        var userData = set.UserData ?? keyType.ByteOrderUserData();
        var size = (uint)set.Keys.Count;
        var text = set.Text ?? string.Join(", ", set.Keys.Select(k => Convert.ToHexStringLower(k.Span)));
        Add($"anonymous set {{ {text} }} in table {table}", $"# anonymous set {{ {text} }} (part of the next rule)",
            (w, seq, extra) =>
            {
                NfMessages.Set(w, (ushort)(Request | Create | extra), seq, family, table, name,
                    NfTablesProtocol.SetFlagAnonymous | NfTablesProtocol.SetFlagConstant, keyType, id, size, userData);
                return null;
            });
        var elements = set.Keys.Select(k => new NfSetElement(k)).ToList();
        AddElementMessages(NfTablesProtocol.NewSetElem, family, table, name, id, elements, $"elements of anonymous set {{ {text} }}", "# its elements");
        return new NfSetReference(name, keyType, id);
    }

    /// <summary><c>add element</c>: plain keys (see <see cref="NfKey"/>) for a set without the interval flag.</summary>
    public NfBatch AddElements(NfFamily family, string table, string set, IEnumerable<ReadOnlyMemory<byte>> keys) =>
        Elements(NfTablesProtocol.NewSetElem, "add", family, table, set, keys);

    /// <summary><c>delete element</c>: plain keys.</summary>
    public NfBatch DeleteElements(NfFamily family, string table, string set, IEnumerable<ReadOnlyMemory<byte>> keys) =>
        Elements(NfTablesProtocol.DelSetElem, "delete", family, table, set, keys);

    /// <summary>
    /// <c>add element</c> for an interval address set: each prefix becomes a start and an END element (last+1),
    /// with nft's leading all-zero END; large lists are split across messages so no nest passes 64 KiB.
    /// </summary>
    public NfBatch AddElements(NfFamily family, string table, string set, IEnumerable<IPNetwork> prefixes) =>
        Prefixes(NfTablesProtocol.NewSetElem, "add", family, table, set, prefixes);

    /// <summary><c>delete element</c> for an interval address set (the same start/end pairs).</summary>
    public NfBatch DeleteElements(NfFamily family, string table, string set, IEnumerable<IPNetwork> prefixes) =>
        Prefixes(NfTablesProtocol.DelSetElem, "delete", family, table, set, prefixes);

    private NfBatch Elements(byte message, string verb, NfFamily family, string table, string set, IEnumerable<ReadOnlyMemory<byte>> keys)
    {
        Require(table, nameof(table));
        Require(set, nameof(set));
        ArgumentNullException.ThrowIfNull(keys);
        var elements = keys.Select(k => new NfSetElement(k)).ToList();
        var id = _setsAdded.TryGetValue((family, table, set), out var added) ? added.Id : null;
        AddElementMessages(message, family, table, set, id, elements,
            $"{verb} {elements.Count} elements of set {set}", $"{verb} element {NfNames.Family(family)} {table} {set} {{ {elements.Count} elements }}");
        return this;
    }

    private NfBatch Prefixes(byte message, string verb, NfFamily family, string table, string set, IEnumerable<IPNetwork> prefixes)
    {
        Require(table, nameof(table));
        Require(set, nameof(set));
        ArgumentNullException.ThrowIfNull(prefixes);
        var list = prefixes.ToList();
        if (list.Count == 0)
        {
            return this;
        }

        var id = _setsAdded.TryGetValue((family, table, set), out var added) ? added.Id : null;
        var elements = NfIntervals.FromPrefixes(list, list[0].BaseAddress.AddressFamily);
        var shown = string.Join(", ", list.Take(8).Select(p => p.ToString())) + (list.Count > 8 ? string.Create(CultureInfo.InvariantCulture, $", … ({list.Count} prefixes)") : "");
        AddElementMessages(message, family, table, set, id, elements,
            $"{verb} {list.Count} prefixes of set {set}", $"{verb} element {NfNames.Family(family)} {table} {set} {{ {shown} }}");
        return this;
    }

    /// <summary>Splits the elements into messages whose LIST_ELEMENTS nest stays below <see cref="MaxElementListBytes"/>.</summary>
    private void AddElementMessages(byte message, NfFamily family, string table, string set, uint? id, List<NfSetElement> elements,
        string description, string command)
    {
        var flags = message == NfTablesProtocol.NewSetElem ? (ushort)(Request | Create) : Request;
        var first = 0;
        var part = 0;
        var parts = new List<(int First, int Count)>();
        while (first < elements.Count)
        {
            var bytes = 4;
            var count = 0;
            while (first + count < elements.Count && bytes + NfMessages.ElementSize(elements[first + count]) <= MaxElementListBytes)
            {
                bytes += NfMessages.ElementSize(elements[first + count]);
                count++;
            }

            parts.Add((first, count));
            first += count;
        }

        foreach (var (start, count) in parts)
        {
            part++;
            var suffix = parts.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" (part {part} of {parts.Count})") : "";
            Add(description + suffix, command + suffix,
                (w, seq, extra) => { NfMessages.SetElements(w, message, (ushort)(flags | extra), seq, family, table, set, id, elements, start, count); return null; });
        }
    }
}
