namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>What Galaxy does with a directive.</summary>
internal enum OvpnVerdict
{
    /// <summary>Kept: copied to the sanitized configuration (or represented by Galaxy's own argv).</summary>
    Allow,

    /// <summary>Refused: the profile is not importable.</summary>
    Reject,

    /// <summary>Galaxy owns what it does: dropped with a warning.</summary>
    Ignore,
}

[Flags]
internal enum OvpnRuleFlags
{
    None = 0,

    /// <summary>Also accepted inside a <c>&lt;connection&gt;</c> block (OpenVPN's <c>OPT_P_CONNECTION</c>).</summary>
    Connection = 1,

    /// <summary>The first argument names a file, or the directive is an inline block of the same name.</summary>
    File = 2,

    /// <summary>May be an inline block whose text is not file material (<c>&lt;peer-fingerprint&gt;</c>).</summary>
    Inline = 4,

    /// <summary>Allowed, but not copied: Galaxy's argv expresses it (remotes, device).</summary>
    Consumed = 8,
}

/// <summary>One entry of the allowlist: a directive, its verdict, its arity, and why.</summary>
internal sealed record OvpnRule(string Name, OvpnVerdict Verdict, int MinArguments, int MaxArguments, OvpnRuleFlags Flags, string? Reason)
{
    public bool Has(OvpnRuleFlags flag) => (Flags & flag) == flag;
}
