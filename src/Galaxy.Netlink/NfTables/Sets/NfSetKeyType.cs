namespace Galaxy.Netlink.NfTables;

/// <summary>
/// A set's key type: nft's datatype id (NFTA_SET_KEY_TYPE, used only by nft when printing), the key
/// length the kernel uses, and the byte order nft records in the set's USERDATA.
/// </summary>
public sealed record NfSetKeyType(string Name, uint TypeId, uint Length, bool BigEndian)
{
    public static NfSetKeyType IPv4Address { get; } = new("ipv4_addr", 7, 4, true);

    public static NfSetKeyType IPv6Address { get; } = new("ipv6_addr", 8, 16, true);

    public static NfSetKeyType InetProtocol { get; } = new("inet_proto", 12, 1, false);

    public static NfSetKeyType InetService { get; } = new("inet_service", 13, 2, true);

    public static NfSetKeyType Mark { get; } = new("mark", 19, 4, false);

    public static NfSetKeyType InterfaceName { get; } = new("ifname", 41, 16, false);

    /// <summary>
    /// nft's set USERDATA (libnftnl TLVs: u8 type, u8 length, value): NFTNL_UDATA_SET_KEYBYTEORDER (0) =
    /// u32 host-order BYTEORDER_HOST_ENDIAN 1 / BYTEORDER_BIG_ENDIAN 2. nft prints the elements with it.
    /// </summary>
    internal byte[] ByteOrderUserData() => [0, 4, BigEndian ? (byte)2 : (byte)1, 0, 0, 0];
}
