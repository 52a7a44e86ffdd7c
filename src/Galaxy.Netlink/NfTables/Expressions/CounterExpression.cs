using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>counter</c>: counts packets and bytes. Added empty (as nft 1.0.6 does); read back with
/// <code>BYTES 1 (be64), PACKETS 2 (be64)</code>
/// </summary>
public sealed record CounterExpression(ulong Packets = 0, ulong Bytes = 0) : NfExpression
{
    public override string Name => "counter";

    public override string ToString() => $"counter pkts {Packets} bytes {Bytes}";

    internal override void EncodeData(NetlinkWriter writer)
    {
        // nft 1.0.6 sends an empty NFTA_EXPR_DATA: the counter starts at zero.
    }

    internal static CounterExpression Decode(NetlinkAttribute data)
    {
        ulong bytes = 0, packets = 0;
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: bytes = a.U64BigEndian; break;
                case 2: packets = a.U64BigEndian; break;
            }
        }

        return new CounterExpression(packets, bytes);
    }
}
