namespace Galaxy.Netlink.Route;

/// <summary>A route's scope (rtm_scope, RT_SCOPE_*); other kernel values pass through as numbers.</summary>
public enum RouteScope : byte
{
    Universe = 0,
    Site = 200,
    Link = 253,
    Host = 254,
    Nowhere = 255,
}
