using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>fib</c>: a routing lookup (e.g. <c>fib saddr type</c>: flags SADDR, result ADDRTYPE, host-order u32).
/// <code>FLAGS 3, RESULT 2, DREG 1 (be32)</code>
/// </summary>
public sealed record FibExpression(NfFibInputs Flags, NfFibResult Result, uint Register = 1) : NfExpression
{
    public override string Name => "fib";

    /// <summary>nft's debug form: <c>fib saddr type => reg 1</c>.</summary>
    public override string ToString()
    {
        var inputs = new List<string>();
        foreach (var (flag, word) in new[] { (NfFibInputs.SourceAddress, "saddr"), (NfFibInputs.DestinationAddress, "daddr"), (NfFibInputs.Mark, "mark"), (NfFibInputs.InputInterface, "iif"), (NfFibInputs.OutputInterface, "oif") })
        {
            if ((Flags & flag) != 0)
            {
                inputs.Add(word);
            }
        }

        var result = Result switch { NfFibResult.OutputInterface => "oif", NfFibResult.OutputInterfaceName => "oifname", _ => "type" };
        return $"fib {string.Join(" . ", inputs)} {result} => reg {Register}";
    }

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.WriteU32BigEndian(3, (uint)Flags);
        writer.WriteU32BigEndian(2, (uint)Result);
        writer.WriteU32BigEndian(1, Register);
    }

    internal static FibExpression Decode(NetlinkAttribute data)
    {
        var flags = NfFibInputs.None;
        var result = NfFibResult.OutputInterface;
        uint register = 0;
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: register = a.U32BigEndian; break;
                case 2: result = (NfFibResult)a.U32BigEndian; break;
                case 3: flags = (NfFibInputs)a.U32BigEndian; break;
            }
        }

        return new FibExpression(flags, result, register);
    }
}
