using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// One nf_tables expression of a rule: immutable, with a pure encoder for its NFTA_EXPR_DATA attributes
/// in the order libnftnl emits them. <see cref="object.ToString"/> reads like nft's
/// <c>--debug=netlink</c> line, so two rules compare by their text.
/// </summary>
/// <remarks>
/// <code>
/// NFTA_LIST_ELEM { NFTA_EXPR_NAME "meta", NFTA_EXPR_DATA { ...this expression's attributes... } }
/// </code>
/// </remarks>
public abstract record NfExpression
{
    private protected NfExpression()
    {
    }

    /// <summary>The kernel's name of the expression (NFTA_EXPR_NAME: "meta", "cmp", ...).</summary>
    public abstract string Name { get; }

    /// <summary>Writes the attributes inside NFTA_EXPR_DATA.</summary>
    internal abstract void EncodeData(NetlinkWriter writer);

    /// <summary>Writes the whole NFTA_LIST_ELEM of this expression.</summary>
    internal void Encode(NetlinkWriter writer)
    {
        var element = writer.BeginNested(NfTablesProtocol.ListElement);
        writer.WriteString(NfTablesProtocol.ExpressionName, Name);
        var data = writer.BeginNested(NfTablesProtocol.ExpressionData);
        EncodeData(writer);
        writer.EndNested(data);
        writer.EndNested(element);
    }
}
