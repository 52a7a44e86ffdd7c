using System.Globalization;

namespace Galaxy.Netlink.NfTables;

public sealed partial class NfBatch
{
    /// <summary>
    /// <c>add rule</c> (REQUEST|CREATE|APPEND). Anonymous sets the rule builder made are added just before
    /// the rule (as nft does); lookups of sets added earlier in this batch get their batch id.
    /// </summary>
    public NfBatch AddRule(NfFamily family, string table, string chain, NfRule rule)
    {
        Require(table, nameof(table));
        Require(chain, nameof(chain));
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Expressions.Count == 0)
        {
            throw new ArgumentException("a rule needs at least one expression", nameof(rule));
        }

        var expressions = new List<NfExpression>(rule.Expressions.Count);
        foreach (var expression in rule.Expressions)
        {
            if (expression is LookupExpression { AnonymousSet: { } anonymous } lookup)
            {
                var reference = AddAnonymousSet(family, table, anonymous);
                expressions.Add(lookup with { SetName = reference.Name, SetId = reference.Id, AnonymousSet = null });
            }
            else if (expression is LookupExpression { SetId: null } named && _setsAdded.TryGetValue((family, table, named.SetName), out var added))
            {
                expressions.Add(named with { SetId = added.Id });
            }
            else
            {
                expressions.Add(expression);
            }
        }

        var resolved = rule with { Expressions = expressions };
        var suspect = NfHookRules.Suspect(expressions, _chainsAdded.GetValueOrDefault((family, table, chain)));
        var flags = (ushort)(Request | Create | Core.NetlinkProtocol.FlagAppend);
        return Add($"rule in chain {chain} of table {table}: {resolved}", $"add rule {NfNames.Family(family)} {table} {chain} {resolved}",
            (w, seq, extra) => NfMessages.Rule(w, (ushort)(flags | extra), seq, family, table, chain, resolved, suspect));
    }

    /// <summary><c>add rule</c> from a rule builder (its family must match).</summary>
    public NfBatch AddRule(string table, string chain, RuleBuilder rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return AddRule(rule.Family, table, chain, rule.Build());
    }

    /// <summary><c>delete rule … handle N</c>: ENOENT when no such rule.</summary>
    public NfBatch DeleteRule(NfFamily family, string table, string chain, ulong handle)
    {
        Require(table, nameof(table));
        Require(chain, nameof(chain));
        var command = string.Create(CultureInfo.InvariantCulture, $"delete rule {NfNames.Family(family)} {table} {chain} handle {handle}");
        return Add(command, command,
            (w, seq, extra) => { NfMessages.DeleteRule(w, (ushort)(Request | extra), seq, family, table, chain, handle); return null; });
    }
}
