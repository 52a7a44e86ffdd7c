using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>lookup</c>: matches a register against a set, found by name and, for a set added in the same
/// batch, by its batch id (anonymous sets are only findable that way).
/// <code>SREG 2, SET 1 "name", SET_ID 4 (optional), FLAGS 5 (INV = 1, only when inverted)</code>
/// </summary>
public sealed record LookupExpression(string SetName, uint? SetId = null, uint SourceRegister = 1, bool Inverted = false) : NfExpression
{
    /// <summary>
    /// For a lookup the rule builder made against an anonymous set: the set's content, which the batch adds
    /// (NEWSET + NEWSETELEM) just before the rule and then fills in <see cref="SetId"/>.
    /// </summary>
    public NfAnonymousSet? AnonymousSet { get; init; }

    public override string Name => "lookup";

    public override string ToString() => $"lookup reg {SourceRegister} set {SetName}{(Inverted ? " 0x1" : "")}";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.WriteU32BigEndian(2, SourceRegister);
        writer.WriteString(1, SetName);
        if (SetId is { } id)
        {
            writer.WriteU32BigEndian(4, id);
        }

        if (Inverted)
        {
            writer.WriteU32BigEndian(5, 1);
        }
    }

    internal static LookupExpression Decode(NetlinkAttribute data)
    {
        var name = "";
        uint? id = null;
        uint register = 0;
        var inverted = false;
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: name = a.AsString(); break;
                case 2: register = a.U32BigEndian; break;
                case 4: id = a.U32BigEndian; break;
                case 5: inverted = (a.U32BigEndian & 1) != 0; break;
            }
        }

        return new LookupExpression(name, id, register, inverted);
    }
}
