using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>bitwise</c>: <c>dreg = (sreg &amp; mask) ^ xor</c>. nft 1.0.6 sends no OP attribute (the default, boolean).
/// <code>SREG 1, DREG 2, LEN 3, MASK 4 { VALUE }, XOR 5 { VALUE }</code>
/// </summary>
public sealed record BitwiseExpression(uint SourceRegister, uint DestinationRegister, ReadOnlyMemory<byte> Mask, ReadOnlyMemory<byte> Xor)
    : NfExpression
{
    public override string Name => "bitwise";

    public override string ToString() =>
        $"bitwise reg {DestinationRegister} = ( reg {SourceRegister} & {NfData.Hex(Mask.Span)} ) ^ {NfData.Hex(Xor.Span)}";

    internal override void EncodeData(NetlinkWriter writer)
    {
        if (Mask.Length != Xor.Length)
        {
            throw new InvalidOperationException($"bitwise mask ({Mask.Length} bytes) and xor ({Xor.Length} bytes) differ in length");
        }

        writer.WriteU32BigEndian(1, SourceRegister);
        writer.WriteU32BigEndian(2, DestinationRegister);
        writer.WriteU32BigEndian(3, (uint)Mask.Length);
        NfData.WriteValue(writer, 4, Mask.Span);
        NfData.WriteValue(writer, 5, Xor.Span);
    }

    internal static BitwiseExpression Decode(NetlinkAttribute data)
    {
        uint source = 0, destination = 0;
        byte[] mask = [], xor = [];
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: source = a.U32BigEndian; break;
                case 2: destination = a.U32BigEndian; break;
                case 4: mask = NfData.ReadValue(a); break;
                case 5: xor = NfData.ReadValue(a); break;
            }
        }

        return new BitwiseExpression(source, destination, mask, xor);
    }
}
