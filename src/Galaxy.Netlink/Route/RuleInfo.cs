using System.Net;

namespace Galaxy.Netlink.Route;

/// <summary>A policy-routing rule as the kernel reports it in a dump or an event.</summary>
/// <param name="Family">fib_rule_hdr.family.</param>
/// <param name="Priority">FRA_PRIORITY (0 when absent: the kernel omits it for priority 0).</param>
/// <param name="Fwmark">FRA_FWMARK.</param>
/// <param name="FwMask">FRA_FWMASK.</param>
/// <param name="IifName">FRA_IIFNAME.</param>
/// <param name="OifName">FRA_OIFNAME.</param>
/// <param name="Source">FRA_SRC with src_len.</param>
/// <param name="Destination">FRA_DST with dst_len.</param>
/// <param name="Table">FRA_TABLE (falling back to the header's table).</param>
/// <param name="Action">fib_rule_hdr.action.</param>
public sealed record RuleInfo(
    IpFamily Family,
    uint Priority,
    uint? Fwmark,
    uint? FwMask,
    string? IifName,
    string? OifName,
    IPNetwork? Source,
    IPNetwork? Destination,
    uint Table,
    RuleAction Action)
{
    /// <summary>The same rule as a spec (to delete it, for instance).</summary>
    public RuleSpec ToSpec() => new()
    {
        Family = Family,
        Priority = Priority,
        Fwmark = Fwmark,
        FwMask = FwMask,
        IifName = IifName,
        OifName = OifName,
        Source = Source,
        Destination = Destination,
        Table = Table,
        Action = Action,
    };

    public override string ToString() => ToSpec().ToIpCommand("show");
}
