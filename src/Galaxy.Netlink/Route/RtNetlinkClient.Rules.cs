using Galaxy.Netlink.Core.Interop;

namespace Galaxy.Netlink.Route;

public sealed partial class RtNetlinkClient
{
    /// <summary>
    /// <c>ip rule add priority P …</c>, idempotently: the rule must carry a priority (without one the
    /// kernel adds a duplicate each time), and an identical existing rule (EEXIST) counts as success.
    /// </summary>
    public void AddRule(RuleSpec rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (rule.Priority is null)
        {
            throw new ArgumentException(
                $"rule \"{rule.ToIpCommand()}\" has no priority: without one the kernel adds a duplicate rule each time; give it a Priority",
                nameof(rule));
        }

        Validate(rule);
        Change(rule.ToIpCommand("add"), (w, s) => RuleMessages.Write(w, s, add: true, rule), tolerated: Errno.EEXIST);
    }

    /// <summary><c>ip rule del …</c>, idempotently: a missing rule (ENOENT) counts as success.</summary>
    public void DeleteRule(RuleSpec rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        Validate(rule);
        Change(rule.ToIpCommand("del"), (w, s) => RuleMessages.Write(w, s, add: false, rule), tolerated: Errno.ENOENT);
    }

    /// <summary>The policy rules of one family (<c>ip -4 rule show</c> / <c>ip -6 rule show</c>).</summary>
    public IReadOnlyList<RuleInfo> ListRules(IpFamily family = IpFamily.IPv4) =>
        Dump<RuleInfo>($"ip {IpText.Switch(family)} rule show", (w, s) => RuleMessages.WriteDump(w, s, family), RuleMessages.TryParse);

    private static void Validate(RuleSpec rule)
    {
        if (rule.Family is not (IpFamily.IPv4 or IpFamily.IPv6))
        {
            throw new ArgumentException($"rule {rule}: family must be IPv4 or IPv6", nameof(rule));
        }

        if (rule.Source is { } source && IpText.FamilyOf(source.BaseAddress) != rule.Family)
        {
            throw new ArgumentException($"rule {rule}: source {source} is not {rule.Family}", nameof(rule));
        }

        if (rule.Destination is { } destination && IpText.FamilyOf(destination.BaseAddress) != rule.Family)
        {
            throw new ArgumentException($"rule {rule}: destination {destination} is not {rule.Family}", nameof(rule));
        }
    }
}
