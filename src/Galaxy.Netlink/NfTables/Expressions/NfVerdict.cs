namespace Galaxy.Netlink.NfTables;

/// <summary>A verdict: accept, drop, continue, return, or jump/goto a chain.</summary>
public sealed record NfVerdict(NfVerdictCode Code, string? Chain = null)
{
    public static NfVerdict Accept { get; } = new(NfVerdictCode.Accept);

    public static NfVerdict Drop { get; } = new(NfVerdictCode.Drop);

    public static NfVerdict Continue { get; } = new(NfVerdictCode.Continue);

    public static NfVerdict Return { get; } = new(NfVerdictCode.Return);

    public static NfVerdict Jump(string chain) => new(NfVerdictCode.Jump, RequireChain(chain));

    public static NfVerdict Goto(string chain) => new(NfVerdictCode.Goto, RequireChain(chain));

    /// <summary>nft's word for the verdict ("accept", "jump sub").</summary>
    public override string ToString() => Code switch
    {
        NfVerdictCode.Accept => "accept",
        NfVerdictCode.Drop => "drop",
        NfVerdictCode.Continue => "continue",
        NfVerdictCode.Break => "break",
        NfVerdictCode.Return => "return",
        NfVerdictCode.Jump => "jump " + Chain,
        NfVerdictCode.Goto => "goto " + Chain,
        _ => "verdict " + (int)Code,
    };

    private static string RequireChain(string chain)
    {
        ArgumentException.ThrowIfNullOrEmpty(chain);
        return chain;
    }
}
