using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>ct</c>: loads a conntrack property (state bits or mark, host order) into a register.
/// <code>KEY 2, DREG 1 (be32)</code>
/// </summary>
public sealed record CtExpression(NfCtKey Key, uint Register = 1) : NfExpression
{
    public override string Name => "ct";

    public override string ToString() => $"ct load {Key.ToString().ToLowerInvariant()} => reg {Register}";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.WriteU32BigEndian(2, (uint)Key);
        writer.WriteU32BigEndian(1, Register);
    }

    internal static CtExpression Decode(NetlinkAttribute data)
    {
        NfCtKey key = default;
        uint register = 0;
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: register = a.U32BigEndian; break;
                case 2: key = (NfCtKey)a.U32BigEndian; break;
            }
        }

        return new CtExpression(key, register);
    }
}
