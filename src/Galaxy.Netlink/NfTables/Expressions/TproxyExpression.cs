using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>tproxy</c>: diverts the packet to a local transparent socket (prerouting only; the kernel answers
/// EOPNOTSUPP elsewhere). It does NOT drop when no socket listens: follow it with a drop.
/// <code>FAMILY 1 (2 ipv4, 10 ipv6, 0 port only), REG_ADDR 2 (optional), REG_PORT 3 (a 2-byte big-endian port)</code>
/// </summary>
public sealed record TproxyExpression(NfTproxyFamily Family, uint? AddressRegister, uint PortRegister) : NfExpression
{
    public override string Name => "tproxy";

    public override string ToString()
    {
        var family = Family switch { NfTproxyFamily.IPv4 => " ip", NfTproxyFamily.IPv6 => " ip6", _ => "" };
        var address = AddressRegister is { } a ? $" addr reg {a}" : "";
        return $"tproxy{family}{address} port reg {PortRegister}";
    }

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.WriteU32BigEndian(1, (uint)Family);
        if (AddressRegister is { } address)
        {
            writer.WriteU32BigEndian(2, address);
        }

        writer.WriteU32BigEndian(3, PortRegister);
    }

    internal static TproxyExpression Decode(NetlinkAttribute data)
    {
        var family = NfTproxyFamily.PortOnly;
        uint? address = null;
        uint port = 0;
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: family = (NfTproxyFamily)a.U32BigEndian; break;
                case 2: address = a.U32BigEndian; break;
                case 3: port = a.U32BigEndian; break;
            }
        }

        return new TproxyExpression(family, address, port);
    }
}
