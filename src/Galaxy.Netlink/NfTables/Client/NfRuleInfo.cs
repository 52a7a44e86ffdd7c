namespace Galaxy.Netlink.NfTables;

/// <summary>A rule as the kernel lists it: its handle and its expressions decoded back.</summary>
public sealed record NfRuleInfo(NfFamily Family, string Table, string Chain, ulong Handle, IReadOnlyList<NfExpression> Expressions, string? Comment)
{
    /// <summary>The rule's (first) counter, when it has one.</summary>
    public CounterExpression? Counter => Expressions.OfType<CounterExpression>().FirstOrDefault();

    /// <summary>The expressions in nft's debug form, one per line ("[ meta load l4proto => reg 1 ]").</summary>
    public string DebugText => string.Join('\n', Expressions.Select(e => "[ " + e + " ]"));
}
