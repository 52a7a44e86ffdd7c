using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>Decodes NFTA_RULE_EXPRESSIONS back into expression records.</summary>
internal static class NfExpressionDecoder
{
    public static List<NfExpression> DecodeList(NetlinkAttribute expressions)
    {
        var list = new List<NfExpression>();
        foreach (var element in expressions.Nested())
        {
            if (element.Type == NfTablesProtocol.ListElement)
            {
                list.Add(Decode(element));
            }
        }

        return list;
    }

    public static NfExpression Decode(NetlinkAttribute element)
    {
        var name = "";
        NetlinkAttribute data = default;
        var hasData = false;
        foreach (var a in element.Nested())
        {
            if (a.Type == NfTablesProtocol.ExpressionName)
            {
                name = a.AsString();
            }
            else if (a.Type == NfTablesProtocol.ExpressionData)
            {
                data = a;
                hasData = true;
            }
        }

        if (!hasData)
        {
            data = new NetlinkAttribute(NfTablesProtocol.ExpressionData, []);
        }

        return name switch
        {
            "meta" => MetaExpression.Decode(data),
            "cmp" => CmpExpression.Decode(data),
            "payload" => PayloadExpression.Decode(data),
            "bitwise" => BitwiseExpression.Decode(data),
            "immediate" => ImmediateExpression.Decode(data),
            "lookup" => LookupExpression.Decode(data),
            "ct" => CtExpression.Decode(data),
            "socket" => SocketExpression.Decode(data),
            "tproxy" => TproxyExpression.Decode(data),
            "counter" => CounterExpression.Decode(data),
            "reject" => RejectExpression.Decode(data),
            "fib" => FibExpression.Decode(data),
            "masq" => new MasqueradeExpression(),
            _ => new UnknownExpression(name, data.Payload.ToArray()),
        };
    }
}
