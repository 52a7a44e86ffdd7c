using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>An expression read back that this library does not model; its EXPR_DATA is kept raw.</summary>
public sealed record UnknownExpression(string ExpressionName, ReadOnlyMemory<byte> RawData) : NfExpression
{
    public override string Name => ExpressionName;

    public override string ToString() => ExpressionName;

    internal override void EncodeData(NetlinkWriter writer) => writer.WriteRaw(RawData.Span);
}
