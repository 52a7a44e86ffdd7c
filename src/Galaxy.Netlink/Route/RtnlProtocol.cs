namespace Galaxy.Netlink.Route;

/// <summary>
/// rtnetlink constants (linux/rtnetlink.h, if_link.h, if_addr.h, fib_rules.h, veth.h), as measured in
/// shared/netlink/README.md §1.2.
/// </summary>
internal static class RtnlProtocol
{
    // Message types.
    public const ushort NewLink = 16;
    public const ushort DeleteLink = 17;
    public const ushort GetLink = 18;
    public const ushort NewAddress = 20;
    public const ushort DeleteAddress = 21;
    public const ushort GetAddress = 22;
    public const ushort NewRoute = 24;
    public const ushort DeleteRoute = 25;
    public const ushort GetRoute = 26;
    public const ushort NewRule = 32;
    public const ushort DeleteRule = 33;
    public const ushort GetRule = 34;

    // Fixed family header sizes.
    public const int IfInfoLength = 16;   // struct ifinfomsg
    public const int IfAddrLength = 8;    // struct ifaddrmsg
    public const int RtMsgLength = 12;    // struct rtmsg
    public const int FibRuleLength = 12;  // struct fib_rule_hdr

    // IFLA_*.
    public const ushort LinkAddress = 1;
    public const ushort LinkName = 3;
    public const ushort LinkMtu = 4;
    public const ushort LinkInfo = 18;
    public const ushort LinkNetNsFd = 28;
    public const ushort LinkExtMask = 29;
    public const ushort InfoKind = 1;     // IFLA_INFO_KIND
    public const ushort InfoData = 2;     // IFLA_INFO_DATA
    public const ushort VethPeer = 1;     // VETH_INFO_PEER
    public const uint ExtMaskVfAndSkipStats = 9; // RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS, as iproute2 sends
    public const uint InterfaceUp = 1;    // IFF_UP

    // IFA_*.
    public const ushort AddressAddress = 1;
    public const ushort AddressLocal = 2;
    public const byte AddressNoDad = 0x02; // IFA_F_NODAD

    // RTA_*.
    public const ushort RouteDestination = 1;
    public const ushort RouteOutputInterface = 4;
    public const ushort RouteGateway = 5;
    public const ushort RoutePriority = 6;
    public const ushort RouteTable = 15;

    // FRA_*.
    public const ushort RuleDestination = 1;
    public const ushort RuleSource = 2;
    public const ushort RuleInputInterface = 3;
    public const ushort RulePriority = 6;
    public const ushort RuleFwmark = 10;
    public const ushort RuleTable = 15;
    public const ushort RuleFwmask = 16;
    public const ushort RuleOutputInterface = 17;

    public const byte TableUnspecified = 0;   // RT_TABLE_UNSPEC
    public const uint TableMain = 254;        // RT_TABLE_MAIN
    public const byte ProtocolBoot = 3;       // RTPROT_BOOT

    // Multicast groups (enum rtnetlink_groups), joined with NETLINK_ADD_MEMBERSHIP.
    public const int GroupLink = 1;
    public const int GroupIPv4Address = 5;
    public const int GroupIPv4Route = 7;
    public const int GroupIPv4Rule = 8;
    public const int GroupIPv6Address = 9;
    public const int GroupIPv6Route = 11;
    public const int GroupIPv6Rule = 19;
}
