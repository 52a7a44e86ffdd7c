using System.Collections.Immutable;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Agent.Firewall;

/// <summary>One rule of the model, with the chain it belongs to.</summary>
internal sealed record ChainRule(string Chain, NfRule Rule);

/// <summary>
/// The whole <c>inet galaxy</c> table as data: four base chains with fixed hooks and priorities and their
/// rules. <see cref="ToBatch"/> turns it into one atomic transaction that replaces the table in place, so
/// there is no instant with the old rules gone and the new ones missing; <see cref="FirewallApplier"/> reads
/// it back and compares.
/// </summary>
internal sealed record FirewallRuleset(ImmutableArray<ChainRule> Rules)
{
    public const string Table = "galaxy";
    public const string Prerouting = "prerouting";
    public const string Input = "input";
    public const string Forward = "forward";
    public const string Output = "output";
    public const string Reroute = "reroute";

    /// <summary>The base chains, the same in lockdown and in the agent's ruleset, so replacing one by the other never changes a hook.</summary>
    public static ImmutableArray<(string Name, NfBaseChain Chain)> Chains { get; } =
    [
        // Mangle priority: before conntrack-based filtering, where TPROXY belongs.
        (Prerouting, new NfBaseChain(NfChainType.Filter, NfHook.Prerouting, NfPriority.Mangle, NfChainPolicy.Accept)),
        (Input, new NfBaseChain(NfChainType.Filter, NfHook.Input, NfPriority.Filter, NfChainPolicy.Drop)),
        (Forward, new NfBaseChain(NfChainType.Filter, NfHook.Forward, NfPriority.Filter, NfChainPolicy.Drop)),
        (Output, new NfBaseChain(NfChainType.Filter, NfHook.Output, NfPriority.Filter, NfChainPolicy.Drop)),
        // Marks only (the kernel routes a locally made packet again when a route chain changes its mark); never drops.
        (Reroute, new NfBaseChain(NfChainType.Route, NfHook.Output, NfPriority.Mangle, NfChainPolicy.Accept)),
    ];

    /// <summary>
    /// One transaction: make sure the table exists, delete it, create it again with every chain and rule.
    /// The kernel applies all of it or none of it; a failure leaves the previous table as it was.
    /// </summary>
    public NfBatch ToBatch()
    {
        var batch = new NfBatch();
        batch.AddTable(NfFamily.Inet, Table);
        batch.DeleteTable(NfFamily.Inet, Table);
        batch.AddTable(NfFamily.Inet, Table);
        foreach (var (name, chain) in Chains)
        {
            batch.AddBaseChain(NfFamily.Inet, Table, name, chain);
        }

        foreach (var rule in Rules)
        {
            batch.AddRule(NfFamily.Inet, Table, rule.Chain, rule.Rule);
        }

        return batch;
    }

    /// <summary>The rules of one chain, in order.</summary>
    public IEnumerable<NfRule> RulesOf(string chain) => Rules.Where(r => r.Chain == chain).Select(r => r.Rule);

    /// <summary>The ruleset as nft would print it, for logs and <c>galaxy lockdown --print</c>.</summary>
    public string ToText()
    {
        var text = new System.Text.StringBuilder();
        text.Append("table inet ").Append(Table).Append(" {\n");
        foreach (var (name, chain) in Chains)
        {
            text.Append("  chain ").Append(name).Append(" { ").Append(NfNamesText(chain)).Append('\n');
            foreach (var rule in RulesOf(name))
            {
                text.Append("    ").Append(rule.ToString()).Append('\n');
            }

            text.Append("  }\n");
        }

        return text.Append("}\n").ToString();
    }

    private static string NfNamesText(NfBaseChain chain) =>
        $"type {(chain.Type == NfChainType.Route ? "route" : "filter")} hook {chain.Hook.ToString().ToLowerInvariant()} priority {chain.Priority}; policy {(chain.Policy == NfChainPolicy.Accept ? "accept" : "drop")};";
}
