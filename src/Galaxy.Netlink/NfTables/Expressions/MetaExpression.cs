using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// <c>meta</c>: loads a packet/socket property into a register, or sets one (mark) from a register.
/// <code>KEY 2 (be32), then DREG 1 (load) or SREG 3 (set)</code>
/// </summary>
public sealed record MetaExpression : NfExpression
{
    private MetaExpression(NfMetaKey key, uint? destination, uint? source)
    {
        Key = key;
        DestinationRegister = destination;
        SourceRegister = source;
    }

    public NfMetaKey Key { get; }

    /// <summary>The register loaded (a load), else null.</summary>
    public uint? DestinationRegister { get; }

    /// <summary>The register read (a set), else null.</summary>
    public uint? SourceRegister { get; }

    public override string Name => "meta";

    public static MetaExpression Load(NfMetaKey key, uint register = 1) => new(key, register, null);

    public static MetaExpression Set(NfMetaKey key, uint register = 1) => new(key, null, register);

    public override string ToString() => DestinationRegister is { } d
        ? $"meta load {KeyName(Key)} => reg {d}"
        : $"meta set {KeyName(Key)} with reg {SourceRegister}";

    internal override void EncodeData(NetlinkWriter writer)
    {
        writer.WriteU32BigEndian(2, (uint)Key);
        if (DestinationRegister is { } destination)
        {
            writer.WriteU32BigEndian(1, destination);
        }

        if (SourceRegister is { } source)
        {
            writer.WriteU32BigEndian(3, source);
        }
    }

    internal static MetaExpression Decode(NetlinkAttribute data)
    {
        NfMetaKey key = default;
        uint? destination = null, source = null;
        foreach (var a in data.Nested())
        {
            switch (a.Type)
            {
                case 1: destination = a.U32BigEndian; break;
                case 2: key = (NfMetaKey)a.U32BigEndian; break;
                case 3: source = a.U32BigEndian; break;
            }
        }

        return new MetaExpression(key, destination, source);
    }

    private static string KeyName(NfMetaKey key) => key switch
    {
        NfMetaKey.Mark => "mark",
        NfMetaKey.InputInterface => "iif",
        NfMetaKey.OutputInterface => "oif",
        NfMetaKey.InputInterfaceName => "iifname",
        NfMetaKey.OutputInterfaceName => "oifname",
        NfMetaKey.SocketUid => "skuid",
        NfMetaKey.SocketGid => "skgid",
        NfMetaKey.NetfilterProtocol => "nfproto",
        NfMetaKey.L4Protocol => "l4proto",
        NfMetaKey.Protocol => "protocol",
        NfMetaKey.Length => "length",
        _ => "key " + (uint)key,
    };
}
