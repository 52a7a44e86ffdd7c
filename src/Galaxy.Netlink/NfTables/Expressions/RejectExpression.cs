using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>reject</c>: answers with a TCP reset or an ICMP(x) error.
/// <code>TYPE 1 (be32), ICMP_CODE 2 (u8; icmpx: port-unreachable 1, admin-prohibited 3)</code>
/// </summary>
public sealed record RejectExpression(NfRejectType Type, byte Code = 0) : NfExpression
{
    /// <summary>icmpx code: port unreachable.</summary>
    public const byte IcmpxPortUnreachable = 1;

    /// <summary>icmpx code: administratively prohibited.</summary>
    public const byte IcmpxAdminProhibited = 3;

    public override string Name => "reject";

    public override string ToString() => $"reject type {(uint)Type} code {Code}";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.WriteU32BigEndian(1, (uint)Type);
        writer.WriteU8(2, Code);
    }

    internal static RejectExpression Decode(NetlinkAttribute data)
    {
        var type = NfRejectType.IcmpUnreachable;
        byte code = 0;
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: type = (NfRejectType)a.U32BigEndian; break;
                case 2: code = a.U8; break;
            }
        }

        return new RejectExpression(type, code);
    }
}
