using System.Net;
using System.Text;

namespace Galaxy.Netlink.Route;

/// <summary>
/// A policy-routing rule to add or delete: <c>ip -4 rule add priority 100 fwmark 0x1/0xffffffff lookup 100</c>.
/// The client requires <see cref="Priority"/> when adding: without it the kernel is not idempotent.
/// </summary>
public sealed record RuleSpec
{
    public required IpFamily Family { get; init; }

    /// <summary>FRA_PRIORITY (the <c>pref</c>).</summary>
    public uint? Priority { get; init; }

    /// <summary>FRA_FWMARK.</summary>
    public uint? Fwmark { get; init; }

    /// <summary>FRA_FWMASK; when null with a mark, the kernel uses 0xffffffff.</summary>
    public uint? FwMask { get; init; }

    /// <summary>FRA_IIFNAME: the input interface.</summary>
    public string? IifName { get; init; }

    /// <summary>FRA_OIFNAME: the output interface.</summary>
    public string? OifName { get; init; }

    /// <summary>FRA_SRC with src_len (<c>from</c>).</summary>
    public IPNetwork? Source { get; init; }

    /// <summary>FRA_DST with dst_len (<c>to</c>).</summary>
    public IPNetwork? Destination { get; init; }

    /// <summary>The table for <see cref="RuleAction.Lookup"/>; 0 means main (254), as for <c>ip rule</c>.</summary>
    public uint Table { get; init; }

    public RuleAction Action { get; init; } = RuleAction.Lookup;

    /// <summary>The table actually sent: main when a lookup names none, 0 for the other actions.</summary>
    public uint EffectiveTable => Action == RuleAction.Lookup && Table == 0 ? RtnlProtocol.TableMain : Table;

    /// <summary>The equivalent <c>ip rule</c> command (<c>verb</c> is add or del).</summary>
    public string ToIpCommand(string verb = "add")
    {
        var text = new StringBuilder("ip ").Append(IpText.Switch(Family)).Append(" rule ").Append(verb);
        if (Priority is { } priority)
        {
            text.Append(" priority ").Append(IpText.Number(priority));
        }

        if (Source is { } source)
        {
            text.Append(" from ").Append(source);
        }

        if (Destination is { } destination)
        {
            text.Append(" to ").Append(destination);
        }

        if (Fwmark is not null || FwMask is not null)
        {
            text.Append(" fwmark ").Append(IpText.Hex(Fwmark ?? 0));
            if (FwMask is { } mask)
            {
                text.Append('/').Append(IpText.Hex(mask));
            }
        }

        if (IifName is not null)
        {
            text.Append(" iif ").Append(IifName);
        }

        if (OifName is not null)
        {
            text.Append(" oif ").Append(OifName);
        }

        if (Action == RuleAction.Lookup)
        {
            text.Append(" lookup ").Append(IpText.Number(EffectiveTable));
        }
        else
        {
            text.Append(' ').Append(RouteWords.Action(Action));
            if (Table != 0)
            {
                text.Append(" table ").Append(IpText.Number(Table));
            }
        }

        return text.ToString();
    }

    public override string ToString() => ToIpCommand();
}
