using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>cmp</c>: compares a register with a constant.
/// <code>SREG 1, OP 2, DATA 3 { VALUE 1 bytes }</code>
/// </summary>
public sealed record CmpExpression(uint Register, NfCmpOp Operator, ReadOnlyMemory<byte> Data) : NfExpression
{
    public override string Name => "cmp";

    public override string ToString() => $"cmp {OperatorName(Operator)} reg {Register} {NfData.Hex(Data.Span)}";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.WriteU32BigEndian(1, Register);
        writer.WriteU32BigEndian(2, (uint)Operator);
        NfData.WriteValue(writer, 3, Data.Span);
    }

    internal static CmpExpression Decode(NetlinkAttribute data)
    {
        uint register = 0;
        var op = NfCmpOp.Equal;
        byte[] value = [];
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: register = a.U32BigEndian; break;
                case 2: op = (NfCmpOp)a.U32BigEndian; break;
                case 3: value = NfData.ReadValue(a); break;
            }
        }

        return new CmpExpression(register, op, value);
    }

    private static string OperatorName(NfCmpOp op) => op switch
    {
        NfCmpOp.Equal => "eq",
        NfCmpOp.NotEqual => "neq",
        NfCmpOp.LessThan => "lt",
        NfCmpOp.LessOrEqual => "lte",
        NfCmpOp.GreaterThan => "gt",
        NfCmpOp.GreaterOrEqual => "gte",
        _ => "op" + (uint)op,
    };
}
