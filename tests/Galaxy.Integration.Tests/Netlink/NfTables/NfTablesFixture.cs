using System.Net;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Integration.Tests.Netlink.NfTables;

/// <summary>The ruleset of shared/netlink/ruleset.nft built with the batch and rule-builder API.</summary>
internal static class NfTablesFixture
{
    public const string Table = "galaxy";

    public static NfBatch RulesetBatch(NfBatch? batch = null)
    {
        batch ??= new NfBatch();
        batch.AddTable(NfFamily.Inet, Table);
        batch.AddBaseChain(NfFamily.Inet, Table, "prerouting", new NfBaseChain(NfChainType.Filter, NfHook.Prerouting, NfPriority.Mangle, NfChainPolicy.Accept));
        batch.AddBaseChain(NfFamily.Inet, Table, "forward", new NfBaseChain(NfChainType.Filter, NfHook.Forward, NfPriority.Filter, NfChainPolicy.Drop));
        batch.AddSet(NfFamily.Inet, Table, "bypass4", NfSetKeyType.IPv4Address, interval: true);
        batch.AddElements(NfFamily.Inet, Table, "bypass4", [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("192.168.0.0/16")]);
        batch.AddRule(Table, "prerouting", new RuleBuilder(NfFamily.Inet).L4Proto(RuleBuilder.Tcp).SocketTransparent().SetMark(1).Accept());
        batch.AddRule(Table, "prerouting", new RuleBuilder(NfFamily.Inet)
            .IifName("lan0").L4ProtoIn(RuleBuilder.Tcp, RuleBuilder.Udp).DaddrV4NotIn("bypass4")
            .TproxyV4(IPAddress.Loopback, 15001).SetMark(1).Accept());
        return batch;
    }
}
