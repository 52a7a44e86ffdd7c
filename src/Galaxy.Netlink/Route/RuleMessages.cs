using System.Net;
using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.Route;

/// <summary>Policy-rule requests and the rule parser (pure).</summary>
/// <remarks>
/// <code>
/// struct fib_rule_hdr { u8 family; u8 dst_len; u8 src_len; u8 tos; u8 table; u8 res1; u8 res2; u8 action; u32 flags; }  12 bytes
/// attributes: FRA_PRIORITY 6, FRA_FWMARK 10, FRA_FWMASK 16, FRA_IIFNAME 3, FRA_OIFNAME 17, FRA_SRC 2,
/// FRA_DST 1, FRA_TABLE 15 (u32, only when table ≥ 256; the header's table then RT_TABLE_UNSPEC)
/// </code>
/// </remarks>
internal static class RuleMessages
{
    /// <summary>
    /// NEWRULE REQUEST|ACK|EXCL|CREATE (add) or DELRULE REQUEST|ACK (delete). A rule without a priority is
    /// encoded as asked (iproute2 does so); the client is the one that insists on one.
    /// </summary>
    public static void Write(NetlinkWriter writer, uint sequence, bool add, RuleSpec rule)
    {
        var flags = add
            ? (ushort)(NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck | NetlinkProtocol.FlagExclusive | NetlinkProtocol.FlagCreate)
            : (ushort)(NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck);
        var start = writer.BeginMessage(add ? RtnlProtocol.NewRule : RtnlProtocol.DeleteRule, flags, sequence);
        var table = rule.EffectiveTable;
        var header = writer.Reserve(RtnlProtocol.FibRuleLength);
        header[0] = (byte)rule.Family;
        header[1] = (byte)(rule.Destination?.PrefixLength ?? 0);
        header[2] = (byte)(rule.Source?.PrefixLength ?? 0);
        header[4] = table < 256 ? (byte)table : RtnlProtocol.TableUnspecified;
        header[7] = (byte)rule.Action;

        if (rule.Priority is { } priority)
        {
            writer.WriteU32(RtnlProtocol.RulePriority, priority);
        }

        if (rule.Fwmark is not null || rule.FwMask is not null)
        {
            writer.WriteU32(RtnlProtocol.RuleFwmark, rule.Fwmark ?? 0);
        }

        if (rule.FwMask is { } mask)
        {
            writer.WriteU32(RtnlProtocol.RuleFwmask, mask);
        }

        if (rule.IifName is not null)
        {
            writer.WriteString(RtnlProtocol.RuleInputInterface, rule.IifName);
        }

        if (rule.OifName is not null)
        {
            writer.WriteString(RtnlProtocol.RuleOutputInterface, rule.OifName);
        }

        if (rule.Source is { } source)
        {
            RouteMessages.WriteAddress(writer, RtnlProtocol.RuleSource, source.BaseAddress);
        }

        if (rule.Destination is { } destination)
        {
            RouteMessages.WriteAddress(writer, RtnlProtocol.RuleDestination, destination.BaseAddress);
        }

        if (table >= 256)
        {
            writer.WriteU32(RtnlProtocol.RuleTable, table);
        }

        writer.EndMessage(start);
    }

    /// <summary>GETRULE with NLM_F_DUMP: fib_rule_hdr {family}, the rest zero.</summary>
    public static void WriteDump(NetlinkWriter writer, uint sequence, IpFamily family)
    {
        var start = writer.BeginMessage(RtnlProtocol.GetRule, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagDump, sequence);
        writer.Reserve(RtnlProtocol.FibRuleLength)[0] = (byte)family;
        writer.EndMessage(start);
    }

    /// <summary>Parses a NEWRULE/DELRULE; the table comes from FRA_TABLE when present.</summary>
    public static bool TryParse(NetlinkMessage message, out RuleInfo rule)
    {
        rule = null!;
        var payload = message.Payload;
        if (message.Type is not (RtnlProtocol.NewRule or RtnlProtocol.DeleteRule) || payload.Length < RtnlProtocol.FibRuleLength)
        {
            return false;
        }

        var family = (IpFamily)payload[0];
        if (family is not (IpFamily.IPv4 or IpFamily.IPv6))
        {
            return false;
        }

        int dstLength = payload[1];
        int srcLength = payload[2];
        uint table = payload[4];
        uint priority = 0;
        uint? fwmark = null;
        uint? fwmask = null;
        string? iif = null;
        string? oif = null;
        IPAddress? source = null;
        IPAddress? destination = null;
        foreach (var attribute in message.Attributes(RtnlProtocol.FibRuleLength))
        {
            switch (attribute.Type)
            {
                case RtnlProtocol.RulePriority:
                    priority = attribute.U32;
                    break;
                case RtnlProtocol.RuleFwmark:
                    fwmark = attribute.U32;
                    break;
                case RtnlProtocol.RuleFwmask:
                    fwmask = attribute.U32;
                    break;
                case RtnlProtocol.RuleInputInterface:
                    iif = attribute.AsString();
                    break;
                case RtnlProtocol.RuleOutputInterface:
                    oif = attribute.AsString();
                    break;
                case RtnlProtocol.RuleSource when attribute.Payload.Length is 4 or 16:
                    source = attribute.AsAddress();
                    break;
                case RtnlProtocol.RuleDestination when attribute.Payload.Length is 4 or 16:
                    destination = attribute.AsAddress();
                    break;
                case RtnlProtocol.RuleTable:
                    table = attribute.U32;
                    break;
            }
        }

        rule = new RuleInfo(
            family,
            priority,
            fwmark,
            fwmask,
            iif,
            oif,
            source is null ? null : IpText.Prefix(source, srcLength),
            destination is null ? null : IpText.Prefix(destination, dstLength),
            table,
            (RuleAction)payload[7]);
        return true;
    }
}
