namespace Galaxy.Netlink.NfTables;

/// <summary>
/// The content of an anonymous set (<c>{ tcp, udp }</c>, <c>{ 80, 443 }</c>): constant, named
/// <c>__set%d</c> by the kernel, reachable only by its id inside the batch that adds it.
/// </summary>
public sealed record NfAnonymousSet
{
    public NfAnonymousSet(NfSetKeyType keyType, IReadOnlyList<ReadOnlyMemory<byte>> keys)
    {
        ArgumentNullException.ThrowIfNull(keyType);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            throw new ArgumentException("an anonymous set needs at least one element", nameof(keys));
        }

        foreach (var key in keys)
        {
            if (key.Length != keyType.Length)
            {
                throw new ArgumentException($"a {keyType.Name} key is {keyType.Length} bytes, not {key.Length}", nameof(keys));
            }
        }

        KeyType = keyType;
        Keys = keys;
    }

    public NfSetKeyType KeyType { get; }

    public IReadOnlyList<ReadOnlyMemory<byte>> Keys { get; }

    /// <summary>nft's USERDATA for the set; by default only the key byte order.</summary>
    internal byte[]? UserData { get; init; }

    /// <summary>How nft writes the set's elements (<c>{ tcp, udp }</c>).</summary>
    internal string? Text { get; init; }

    /// <summary>
    /// The USERDATA nft 1.0.6 sends for <c>meta l4proto { ... }</c> (measured): KEYBYTEORDER host, then
    /// KEY_TYPEOF { EXPR meta (9), DATA { META_KEY l4proto (16) } }.
    /// </summary>
    internal static byte[] MetaL4ProtoUserData { get; } =
        Convert.FromHexString("000401000000030e0004090000000106000410000000");

    /// <summary>
    /// The USERDATA nft 1.0.6 sends for <c>tcp dport { ... }</c> (measured): KEYBYTEORDER big-endian, then
    /// KEY_TYPEOF { EXPR payload (7), DATA { PAYLOAD_DESC (tcp 8, udp 6), PAYLOAD_TYPE (sport 1, dport 2) } }.
    /// </summary>
    internal static byte[] PortUserData(byte protocol, bool destination)
    {
        var bytes = Convert.FromHexString("0004020000000314000407000000010c000408000000010402000000");
        bytes[18] = protocol == 17 ? (byte)6 : (byte)8;
        bytes[24] = destination ? (byte)2 : (byte)1;
        return bytes;
    }
}
