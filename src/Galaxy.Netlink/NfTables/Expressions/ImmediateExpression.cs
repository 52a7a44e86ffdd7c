using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>immediate</c>: loads a constant into a register, or (register 0) sets the verdict.
/// <code>DREG 1, DATA 2 { VALUE 1 bytes | VERDICT 2 { CODE 1 be32, CHAIN 2 } }</code>
/// </summary>
public sealed record ImmediateExpression : NfExpression
{
    private ImmediateExpression(uint register, ReadOnlyMemory<byte> data, NfVerdict? verdict)
    {
        Register = register;
        Data = data;
        Verdict = verdict;
    }

    public uint Register { get; }

    /// <summary>The constant (empty for a verdict).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The verdict, when this sets one.</summary>
    public NfVerdict? Verdict { get; }

    public override string Name => "immediate";

    public static ImmediateExpression Value(uint register, ReadOnlyMemory<byte> data)
    {
        if (register == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(register), "register 0 holds the verdict; use ImmediateExpression.Of(verdict)");
        }

        return new ImmediateExpression(register, data, null);
    }

    public static ImmediateExpression Of(NfVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return new ImmediateExpression(0, ReadOnlyMemory<byte>.Empty, verdict);
    }

    public override string ToString() => Verdict is not null
        ? $"immediate reg 0 {(Verdict.Chain is null ? Verdict.ToString() : Verdict.ToString().Replace(" ", " -> ", StringComparison.Ordinal))}"
        : $"immediate reg {Register} {NfData.Hex(Data.Span)}";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.WriteU32BigEndian(1, Register);
        if (Verdict is not null)
        {
            NfData.WriteVerdict(writer, 2, Verdict);
        }
        else
        {
            NfData.WriteValue(writer, 2, Data.Span);
        }
    }

    internal static ImmediateExpression Decode(NetlinkAttribute data)
    {
        uint register = 0;
        byte[] value = [];
        NfVerdict? verdict = null;
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: register = a.U32BigEndian; break;
                case 2:
                    verdict = NfData.ReadVerdict(a);
                    value = NfData.ReadValue(a);
                    break;
            }
        }

        return new ImmediateExpression(register, value, verdict);
    }
}
