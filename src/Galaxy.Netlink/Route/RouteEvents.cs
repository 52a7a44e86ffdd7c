using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.Route;

/// <summary>Turns one rtnetlink event message into a typed <see cref="RouteEvent"/> (pure).</summary>
internal static class RouteEvents
{
    public static bool TryParse(NetlinkMessage message, out RouteEvent change)
    {
        switch (message.Type)
        {
            case RtnlProtocol.NewLink or RtnlProtocol.DeleteLink when LinkMessages.TryParse(message, out var link):
                change = new LinkChanged(link, message.Type == RtnlProtocol.DeleteLink);
                return true;
            case RtnlProtocol.NewAddress or RtnlProtocol.DeleteAddress when AddressMessages.TryParse(message, out var address):
                change = new AddressChanged(address, message.Type == RtnlProtocol.DeleteAddress);
                return true;
            case RtnlProtocol.NewRoute or RtnlProtocol.DeleteRoute when RouteMessages.TryParse(message, out var route):
                change = new RouteChanged(route, message.Type == RtnlProtocol.DeleteRoute);
                return true;
            case RtnlProtocol.NewRule or RtnlProtocol.DeleteRule when RuleMessages.TryParse(message, out var rule):
                change = new RuleChanged(rule, message.Type == RtnlProtocol.DeleteRule);
                return true;
            default:
                change = null!;
                return false;
        }
    }
}
