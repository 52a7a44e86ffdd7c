namespace Galaxy.Netlink.NfTables;

/// <summary>nft's words for families, hooks and chain types, for descriptions and `nft` commands.</summary>
internal static class NfNames
{
    public static string Family(NfFamily family) => family switch
    {
        NfFamily.Inet => "inet",
        NfFamily.IPv4 => "ip",
        NfFamily.IPv6 => "ip6",
        NfFamily.Arp => "arp",
        NfFamily.Bridge => "bridge",
        NfFamily.NetDev => "netdev",
        _ => "unspec",
    };

    public static string Hook(NfHook hook) => hook switch
    {
        NfHook.Prerouting => "prerouting",
        NfHook.Input => "input",
        NfHook.Forward => "forward",
        NfHook.Output => "output",
        NfHook.Postrouting => "postrouting",
        _ => ((uint)hook).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static string ChainType(NfChainType type) => type switch
    {
        NfChainType.Nat => "nat",
        NfChainType.Route => "route",
        _ => "filter",
    };

    public static NfChainType ParseChainType(string type) => type switch
    {
        "nat" => NfChainType.Nat,
        "route" => NfChainType.Route,
        _ => NfChainType.Filter,
    };
}
