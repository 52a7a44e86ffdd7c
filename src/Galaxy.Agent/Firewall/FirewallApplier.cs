using Galaxy.Netlink;
using Galaxy.Netlink.NfTables;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Firewall;

/// <summary>What reading the table back showed.</summary>
internal sealed record FirewallVerification(bool Matches, string? Difference)
{
    public static FirewallVerification Ok { get; } = new(true, null);
}

/// <summary>
/// Commits a <see cref="FirewallRuleset"/> in one transaction and reads the table back to prove the kernel
/// holds exactly that. The only user of <see cref="NfTablesClient"/> writes in the agent. It never deletes
/// the table outside a replacing transaction: when the agent exits or crashes, the last ruleset stays.
/// </summary>
internal sealed class FirewallApplier
{
    private readonly NfTablesClient _client;
    private readonly ILogger _logger;

    public FirewallApplier(NfTablesClient client, ILogger logger)
    {
        _client = client;
        _logger = logger;
    }

    /// <summary>The last ruleset the kernel accepted (null before the first).</summary>
    public FirewallRuleset? Current { get; private set; }

    /// <summary>
    /// Replaces the table; throws <see cref="NetlinkException"/> when the kernel refused (the previous table
    /// is then untouched), and returns what the read-back showed.
    /// </summary>
    public FirewallVerification Apply(FirewallRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        _client.Commit(ruleset.ToBatch());
        Current = ruleset;
        var verification = Verify(ruleset);
        if (!verification.Matches)
        {
            FirewallLog.VerificationFailed(_logger, verification.Difference ?? "");
        }

        return verification;
    }

    /// <summary>Compares every chain's rules in the kernel with the model, expression by expression (counter values aside).</summary>
    public FirewallVerification Verify(FirewallRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var chains = _client.ListChains(NfFamily.Inet, FirewallRuleset.Table);
        foreach (var (name, chain) in FirewallRuleset.Chains)
        {
            var found = chains.FirstOrDefault(c => c.Name == name);
            if (found?.BaseChain is not { } baseChain || baseChain.Hook != chain.Hook || baseChain.Priority != chain.Priority || baseChain.Policy != chain.Policy)
            {
                return new(false, $"chain {name}: expected {chain}, found {found?.BaseChain?.ToString() ?? "nothing"}");
            }

            var wanted = ruleset.RulesOf(name).Select(r => Normalize(r.Expressions)).ToList();
            var actual = _client.ListRules(NfFamily.Inet, FirewallRuleset.Table, name).Select(r => Normalize(r.Expressions)).ToList();
            if (wanted.Count != actual.Count)
            {
                return new(false, $"chain {name}: expected {wanted.Count} rules, found {actual.Count}");
            }

            for (var i = 0; i < wanted.Count; i++)
            {
                if (wanted[i] != actual[i])
                {
                    return new(false, $"chain {name}, rule {i + 1}: expected [{wanted[i]}], found [{actual[i]}]");
                }
            }
        }

        return FirewallVerification.Ok;
    }

    /// <summary>The packets and bytes the counted drop rules have dropped, per chain.</summary>
    public IReadOnlyDictionary<string, (ulong Packets, ulong Bytes)> DropCounters()
    {
        var result = new Dictionary<string, (ulong, ulong)>(StringComparer.Ordinal);
        foreach (var (name, _) in FirewallRuleset.Chains)
        {
            ulong packets = 0, bytes = 0;
            foreach (var rule in _client.ListRules(NfFamily.Inet, FirewallRuleset.Table, name))
            {
                if (rule.Counter is { } counter)
                {
                    packets += counter.Packets;
                    bytes += counter.Bytes;
                }
            }

            result[name] = (packets, bytes);
        }

        return result;
    }

    private static string Normalize(IEnumerable<NfExpression> expressions) =>
        string.Join(" ; ", expressions.Select(e => e is CounterExpression ? "counter" : e.ToString()));
}
