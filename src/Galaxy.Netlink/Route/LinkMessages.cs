using System.Buffers.Binary;
using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.Route;

/// <summary>
/// Link requests and the link parser. Pure: they write into a <see cref="NetlinkWriter"/> or read a
/// <see cref="NetlinkMessage"/>.
/// </summary>
/// <remarks>
/// <code>
/// struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }   16 bytes
/// </code>
/// A link is addressed by index (in the header) or, when the index is 0, by IFLA_IFNAME.
/// </remarks>
internal static class LinkMessages
{
    /// <summary>
    /// GETLINK: ifinfomsg {index or 0}, IFLA_EXT_MASK 29 = 9, IFLA_IFNAME 3 when looking up by name.
    /// iproute2 sends REQUEST only; pass <paramref name="acknowledge"/> to have the kernel ACK as well.
    /// </summary>
    public static void WriteGet(NetlinkWriter writer, uint sequence, int index, string? name, bool acknowledge)
    {
        var flags = (ushort)(NetlinkProtocol.FlagRequest | (acknowledge ? NetlinkProtocol.FlagAck : 0));
        var start = writer.BeginMessage(RtnlProtocol.GetLink, flags, sequence);
        WriteHeader(writer, index, 0, 0);
        writer.WriteU32(RtnlProtocol.LinkExtMask, RtnlProtocol.ExtMaskVfAndSkipStats);
        if (index <= 0 && name is not null)
        {
            writer.WriteString(RtnlProtocol.LinkName, name);
        }

        writer.EndMessage(start);
    }

    /// <summary>GETLINK with NLM_F_DUMP: ifinfomsg zero, IFLA_EXT_MASK 9.</summary>
    public static void WriteDump(NetlinkWriter writer, uint sequence)
    {
        var start = writer.BeginMessage(RtnlProtocol.GetLink, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagDump, sequence);
        WriteHeader(writer, 0, 0, 0);
        writer.WriteU32(RtnlProtocol.LinkExtMask, RtnlProtocol.ExtMaskVfAndSkipStats);
        writer.EndMessage(start);
    }

    /// <summary>NEWLINK REQUEST|ACK: ifinfomsg {index, flags = IFF_UP or 0, change = IFF_UP} [, IFLA_IFNAME].</summary>
    public static void WriteSetUp(NetlinkWriter writer, uint sequence, int index, string? name, bool up)
    {
        var start = writer.BeginMessage(RtnlProtocol.NewLink, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck, sequence);
        WriteHeader(writer, index, up ? RtnlProtocol.InterfaceUp : 0, RtnlProtocol.InterfaceUp);
        WriteNameIfNoIndex(writer, index, name);
        writer.EndMessage(start);
    }

    /// <summary>NEWLINK REQUEST|ACK: ifinfomsg {index} [, IFLA_IFNAME], IFLA_MTU 4 (u32).</summary>
    public static void WriteSetMtu(NetlinkWriter writer, uint sequence, int index, string? name, int mtu)
    {
        var start = writer.BeginMessage(RtnlProtocol.NewLink, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck, sequence);
        WriteHeader(writer, index, 0, 0);
        WriteNameIfNoIndex(writer, index, name);
        writer.WriteU32(RtnlProtocol.LinkMtu, (uint)mtu);
        writer.EndMessage(start);
    }

    /// <summary>
    /// NEWLINK REQUEST|ACK|EXCL|CREATE: ifinfomsg zero, IFLA_IFNAME name,
    /// IFLA_LINKINFO 18 (nested) { IFLA_INFO_KIND 1 "veth", IFLA_INFO_DATA 2 (nested) {
    ///   VETH_INFO_PEER 1 = ifinfomsg zero, IFLA_IFNAME peer [, IFLA_NET_NS_FD 28 u32 fd] } }.
    /// VETH_INFO_PEER holds a struct then attributes, so it is written without NLA_F_NESTED, as iproute2 does.
    /// </summary>
    public static void WriteCreateVeth(NetlinkWriter writer, uint sequence, string name, string peerName, int? peerNamespaceFd)
    {
        const ushort flags = NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck | NetlinkProtocol.FlagExclusive | NetlinkProtocol.FlagCreate;
        var start = writer.BeginMessage(RtnlProtocol.NewLink, flags, sequence);
        WriteHeader(writer, 0, 0, 0);
        writer.WriteString(RtnlProtocol.LinkName, name);
        var linkInfo = writer.BeginNested(RtnlProtocol.LinkInfo);
        writer.WriteString(RtnlProtocol.InfoKind, "veth");
        var data = writer.BeginNested(RtnlProtocol.InfoData);

        using var peer = new NetlinkWriter(256);
        WriteHeader(peer, 0, 0, 0);
        peer.WriteString(RtnlProtocol.LinkName, peerName);
        if (peerNamespaceFd is { } fd)
        {
            peer.WriteU32(RtnlProtocol.LinkNetNsFd, (uint)fd);
        }

        writer.WriteAttribute(RtnlProtocol.VethPeer, peer.Written);
        writer.EndNested(data);
        writer.EndNested(linkInfo);
        writer.EndMessage(start);
    }

    /// <summary>DELLINK REQUEST|ACK: ifinfomsg {index} [, IFLA_IFNAME when the index is 0].</summary>
    public static void WriteDelete(NetlinkWriter writer, uint sequence, int index, string? name)
    {
        var start = writer.BeginMessage(RtnlProtocol.DeleteLink, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck, sequence);
        WriteHeader(writer, index, 0, 0);
        WriteNameIfNoIndex(writer, index, name);
        writer.EndMessage(start);
    }

    /// <summary>Parses a NEWLINK/DELLINK (dump reply or event) into a <see cref="LinkInfo"/>.</summary>
    public static bool TryParse(NetlinkMessage message, out LinkInfo link)
    {
        link = null!;
        var payload = message.Payload;
        if (message.Type is not (RtnlProtocol.NewLink or RtnlProtocol.DeleteLink) || payload.Length < RtnlProtocol.IfInfoLength)
        {
            return false;
        }

        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        string? name = null;
        string? kind = null;
        var mtu = 0;
        foreach (var attribute in message.Attributes(RtnlProtocol.IfInfoLength))
        {
            switch (attribute.Type)
            {
                case RtnlProtocol.LinkName:
                    name = attribute.AsString();
                    break;
                case RtnlProtocol.LinkMtu:
                    mtu = (int)attribute.U32;
                    break;
                case RtnlProtocol.LinkInfo:
                    if (attribute.Nested().TryFind(RtnlProtocol.InfoKind, out var kindAttribute))
                    {
                        kind = kindAttribute.AsString();
                    }

                    break;
            }
        }

        link = new LinkInfo(index, name ?? string.Empty, (flags & RtnlProtocol.InterfaceUp) != 0, mtu, kind, flags);
        return true;
    }

    private static void WriteHeader(NetlinkWriter writer, int index, uint flags, uint change)
    {
        var header = writer.Reserve(RtnlProtocol.IfInfoLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], flags);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], change);
    }

    private static void WriteNameIfNoIndex(NetlinkWriter writer, int index, string? name)
    {
        if (index <= 0 && name is not null)
        {
            writer.WriteString(RtnlProtocol.LinkName, name);
        }
    }
}
