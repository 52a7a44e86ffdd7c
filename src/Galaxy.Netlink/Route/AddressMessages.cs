using System.Buffers.Binary;
using System.Net;
using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.Route;

/// <summary>Address requests and the address parser (pure).</summary>
/// <remarks>
/// <code>
/// struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }   8 bytes
/// attributes: IFA_LOCAL 2, IFA_ADDRESS 1 (the address in network order)
/// </code>
/// </remarks>
internal static class AddressMessages
{
    /// <summary>
    /// NEWADDR REQUEST|ACK|EXCL|CREATE (or DELADDR REQUEST|ACK): ifaddrmsg {family, prefixlen,
    /// flags = IFA_F_NODAD for IPv6, scope 0, index}, IFA_LOCAL, IFA_ADDRESS.
    /// </summary>
    public static void Write(NetlinkWriter writer, uint sequence, bool add, int linkIndex, IPAddress address, int prefixLength)
    {
        var flags = add
            ? (ushort)(NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck | NetlinkProtocol.FlagExclusive | NetlinkProtocol.FlagCreate)
            : (ushort)(NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck);
        var start = writer.BeginMessage(add ? RtnlProtocol.NewAddress : RtnlProtocol.DeleteAddress, flags, sequence);
        var family = IpText.FamilyOf(address);
        var header = writer.Reserve(RtnlProtocol.IfAddrLength);
        header[0] = (byte)family;
        header[1] = (byte)prefixLength;
        header[2] = family == IpFamily.IPv6 ? RtnlProtocol.AddressNoDad : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], linkIndex);
        RouteMessages.WriteAddress(writer, RtnlProtocol.AddressLocal, address);
        RouteMessages.WriteAddress(writer, RtnlProtocol.AddressAddress, address);
        writer.EndMessage(start);
    }

    /// <summary>GETADDR with NLM_F_DUMP: ifaddrmsg {family}.</summary>
    public static void WriteDump(NetlinkWriter writer, uint sequence, IpFamily? family)
    {
        var start = writer.BeginMessage(RtnlProtocol.GetAddress, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagDump, sequence);
        writer.Reserve(RtnlProtocol.IfAddrLength)[0] = (byte)(family ?? 0);
        writer.EndMessage(start);
    }

    /// <summary>Parses a NEWADDR/DELADDR into an <see cref="AddressInfo"/>.</summary>
    public static bool TryParse(NetlinkMessage message, out AddressInfo address)
    {
        address = null!;
        var payload = message.Payload;
        if (message.Type is not (RtnlProtocol.NewAddress or RtnlProtocol.DeleteAddress) || payload.Length < RtnlProtocol.IfAddrLength)
        {
            return false;
        }

        IPAddress? local = null;
        IPAddress? peer = null;
        foreach (var attribute in message.Attributes(RtnlProtocol.IfAddrLength))
        {
            if (attribute.Type == RtnlProtocol.AddressLocal && attribute.Payload.Length is 4 or 16)
            {
                local = attribute.AsAddress();
            }
            else if (attribute.Type == RtnlProtocol.AddressAddress && attribute.Payload.Length is 4 or 16)
            {
                peer = attribute.AsAddress();
            }
        }

        if ((local ?? peer) is not { } value)
        {
            return false;
        }

        address = new AddressInfo(BinaryPrimitives.ReadInt32LittleEndian(payload[4..]), value, payload[1]);
        return true;
    }
}
