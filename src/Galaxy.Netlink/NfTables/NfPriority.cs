namespace Galaxy.Netlink.NfTables;

/// <summary>nft's named chain priorities.</summary>
public static class NfPriority
{
    public const int Raw = -300;
    public const int Mangle = -150;
    public const int DestinationNat = -100;
    public const int Filter = 0;
    public const int Security = 50;
    public const int SourceNat = 100;
}
