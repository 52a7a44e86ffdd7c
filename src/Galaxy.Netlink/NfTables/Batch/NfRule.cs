namespace Galaxy.Netlink.NfTables;

/// <summary>A rule to add: its expressions, an optional comment, and the nft text it stands for.</summary>
public sealed record NfRule(IReadOnlyList<NfExpression> Expressions, string? Comment = null, string? Text = null)
{
    /// <summary>nft's text for the rule when known, else the expressions in nft's debug form.</summary>
    public override string ToString() =>
        (Text ?? string.Join(" ", Expressions.Select(e => "[ " + e + " ]"))) + (Comment is null ? "" : $" comment \"{Comment}\"");
}
