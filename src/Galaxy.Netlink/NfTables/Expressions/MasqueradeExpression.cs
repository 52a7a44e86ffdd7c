using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary><c>masq</c>: source NAT to the output interface's address (nat postrouting). Empty EXPR_DATA.</summary>
public sealed record MasqueradeExpression : NfExpression
{
    public override string Name => "masq";

    public override string ToString() => "masq";

    internal override void EncodeData(NetlinkWriter writer)
    {
    }
}
