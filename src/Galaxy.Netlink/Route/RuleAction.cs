namespace Galaxy.Netlink.Route;

/// <summary>What a policy rule does when it matches (fib_rule_hdr.action, FR_ACT_*).</summary>
public enum RuleAction : byte
{
    Unspecified = 0,

    /// <summary>FR_ACT_TO_TBL: look the packet up in the rule's table.</summary>
    Lookup = 1,
    Goto = 2,
    Nop = 3,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
}
