using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>socket</c>: looks up the packet's local socket; <c>transparent</c> yields ONE byte (compare with 1 byte).
/// <code>KEY 1, DREG 2, LEVEL 3 = 0 (be32)</code>
/// </summary>
public sealed record SocketExpression(NfSocketKey Key, uint Register = 1, uint Level = 0) : NfExpression
{
    public override string Name => "socket";

    public override string ToString() => $"socket load {Key.ToString().ToLowerInvariant()} => reg {Register}";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.WriteU32BigEndian(1, (uint)Key);
        writer.WriteU32BigEndian(2, Register);
        writer.WriteU32BigEndian(3, Level);
    }

    internal static SocketExpression Decode(NetlinkAttribute data)
    {
        NfSocketKey key = default;
        uint register = 0, level = 0;
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: key = (NfSocketKey)a.U32BigEndian; break;
                case 2: register = a.U32BigEndian; break;
                case 3: level = a.U32BigEndian; break;
            }
        }

        return new SocketExpression(key, register, level);
    }
}
