using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>payload</c>: loads packet bytes into a register.
/// <code>DREG 1, BASE 2, OFFSET 3, LEN 4 (all be32)</code>
/// </summary>
public sealed record PayloadExpression(NfPayloadBase Base, uint Offset, uint Length, uint Register = 1) : NfExpression
{
    public override string Name => "payload";

    public override string ToString()
    {
        var header = Base switch
        {
            NfPayloadBase.LinkLayer => "link",
            NfPayloadBase.Network => "network",
            _ => "transport",
        };
        return $"payload load {Length}b @ {header} header + {Offset} => reg {Register}";
    }

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.WriteU32BigEndian(1, Register);
        writer.WriteU32BigEndian(2, (uint)Base);
        writer.WriteU32BigEndian(3, Offset);
        writer.WriteU32BigEndian(4, Length);
    }

    internal static PayloadExpression Decode(NetlinkAttribute data)
    {
        uint register = 0, offset = 0, length = 0;
        var payloadBase = NfPayloadBase.Network;
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: register = a.U32BigEndian; break;
                case 2: payloadBase = (NfPayloadBase)a.U32BigEndian; break;
                case 3: offset = a.U32BigEndian; break;
                case 4: length = a.U32BigEndian; break;
            }
        }

        return new PayloadExpression(payloadBase, offset, length, register);
    }
}
