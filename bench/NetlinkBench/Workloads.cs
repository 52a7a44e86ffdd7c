using System.Net;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Bench.Netlink;

/// <summary>
/// The two batches of bench/netlink.sh, built with the public API exactly as the script writes them for
/// <c>nft -f</c> (the script compares both results with <c>nft list table</c>).
/// </summary>
internal static class Workloads
{
    public const string Table = "bench";

    /// <summary>
    /// <c>add table inet bench</c>, <c>add chain inet bench prerouting { type filter hook prerouting priority -150; policy accept; }</c>,
    /// then COUNT rules <c>iifname "lan0" ip daddr 203.0.113.(i % 256) tcp dport (10000 + i) counter accept</c>.
    /// </summary>
    public static NfBatch Rules(int count)
    {
        var batch = new NfBatch()
            .AddTable(NfFamily.Inet, Table)
            .AddBaseChain(NfFamily.Inet, Table, "prerouting", new NfBaseChain(NfChainType.Filter, NfHook.Prerouting, NfPriority.Mangle, NfChainPolicy.Accept));
        for (var i = 0; i < count; i++)
        {
            var address = new IPAddress(new byte[] { 203, 0, 113, (byte)(i % 256) });
            batch.AddRule(Table, "prerouting", new RuleBuilder(NfFamily.Inet)
                .IifName("lan0").DaddrV4(address).TcpDport((ushort)(10000 + i)).Counter().Accept());
        }

        return batch;
    }

    /// <summary>
    /// <c>add table inet bench</c>, <c>add set inet bench s { type ipv4_addr; flags interval; }</c> and COUNT
    /// prefixes 10.(i / 256).(i % 256).0/25: never adjacent, so nothing merges, all inside 10.0.0.0/8.
    /// </summary>
    public static NfBatch Set(int count)
    {
        if (count > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "at most 65536 prefixes fit the 10.x.y.0/25 pattern");
        }

        var prefixes = new List<IPNetwork>(count);
        for (var i = 0; i < count; i++)
        {
            prefixes.Add(new IPNetwork(new IPAddress(new byte[] { 10, (byte)(i / 256), (byte)(i % 256), 0 }), 25));
        }

        var batch = new NfBatch().AddTable(NfFamily.Inet, Table);
        batch.AddSet(NfFamily.Inet, Table, "s", NfSetKeyType.IPv4Address, interval: true);
        batch.AddElements(NfFamily.Inet, Table, "s", prefixes);
        return batch;
    }
}
