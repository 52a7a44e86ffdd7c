namespace Galaxy.Netlink.NfTables;

/// <summary>payload bases (NFT_PAYLOAD_*_HEADER).</summary>
public enum NfPayloadBase : uint
{
    LinkLayer = 0,
    Network = 1,
    Transport = 2,
}
