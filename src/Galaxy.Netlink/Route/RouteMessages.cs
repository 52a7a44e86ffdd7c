using System.Buffers.Binary;
using System.Net;
using Galaxy.Netlink.Core;

namespace Galaxy.Netlink.Route;

/// <summary>Route requests and the route parser (pure).</summary>
/// <remarks>
/// <code>
/// struct rtmsg { u8 family; u8 dst_len; u8 src_len; u8 tos; u8 table; u8 protocol; u8 scope; u8 type; u32 flags; }  12 bytes
/// attributes, in iproute2's order: RTA_DST 1, RTA_GATEWAY 5, RTA_TABLE 15 (u32, only when table ≥ 256,
/// the header's table then RT_TABLE_UNSPEC), RTA_PRIORITY 6 (u32 metric), RTA_OIF 4 (u32 ifindex)
/// </code>
/// </remarks>
internal static class RouteMessages
{
    public enum Operation
    {
        Add,
        Replace,
        Delete,
    }

    /// <summary>
    /// NEWROUTE REQUEST|ACK|EXCL|CREATE (add), NEWROUTE REQUEST|ACK|CREATE|REPLACE (replace) or
    /// DELROUTE REQUEST|ACK (delete). A delete, like iproute2's, leaves protocol 0 and scope NOWHERE
    /// (match any) unless the spec names them. <paramref name="outputInterface"/> is the resolved
    /// RTA_OIF (the spec's own index when null).
    /// </summary>
    public static void Write(NetlinkWriter writer, uint sequence, Operation operation, RouteSpec route, int? outputInterface = null)
    {
        var (type, flags) = operation switch
        {
            Operation.Add => (RtnlProtocol.NewRoute, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck | NetlinkProtocol.FlagExclusive | NetlinkProtocol.FlagCreate),
            Operation.Replace => (RtnlProtocol.NewRoute, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck | NetlinkProtocol.FlagCreate | NetlinkProtocol.FlagReplace),
            _ => (RtnlProtocol.DeleteRoute, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck),
        };

        var start = writer.BeginMessage(type, (ushort)flags, sequence);
        var header = writer.Reserve(RtnlProtocol.RtMsgLength);
        header[0] = (byte)route.Family;
        header[1] = (byte)(route.Destination?.PrefixLength ?? 0);
        header[4] = route.Table < 256 ? (byte)route.Table : RtnlProtocol.TableUnspecified;
        if (operation == Operation.Delete)
        {
            header[5] = route.Protocol == RtnlProtocol.ProtocolBoot ? (byte)0 : route.Protocol;
            header[6] = (byte)(route.Scope ?? RouteScope.Nowhere);
        }
        else
        {
            header[5] = route.Protocol;
            header[6] = (byte)route.EffectiveScope;
        }

        header[7] = (byte)route.Type;

        if (route.Destination is { } destination && destination.PrefixLength > 0)
        {
            WriteAddress(writer, RtnlProtocol.RouteDestination, destination.BaseAddress);
        }

        if (route.Gateway is { } gateway)
        {
            WriteAddress(writer, RtnlProtocol.RouteGateway, gateway);
        }

        if (route.Table >= 256)
        {
            writer.WriteU32(RtnlProtocol.RouteTable, route.Table);
        }

        if (route.Metric is { } metric)
        {
            writer.WriteU32(RtnlProtocol.RoutePriority, metric);
        }

        if ((outputInterface ?? route.OutputInterface) is { } oif)
        {
            writer.WriteU32(RtnlProtocol.RouteOutputInterface, (uint)oif);
        }

        writer.EndMessage(start);
    }

    /// <summary>GETROUTE with NLM_F_DUMP: rtmsg {family}, the rest zero.</summary>
    public static void WriteDump(NetlinkWriter writer, uint sequence, IpFamily family)
    {
        var start = writer.BeginMessage(RtnlProtocol.GetRoute, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagDump, sequence);
        writer.Reserve(RtnlProtocol.RtMsgLength)[0] = (byte)family;
        writer.EndMessage(start);
    }

    /// <summary>Parses a NEWROUTE/DELROUTE; the table comes from RTA_TABLE (the header's byte only as a fallback).</summary>
    public static bool TryParse(NetlinkMessage message, out RouteInfo route)
    {
        route = null!;
        var payload = message.Payload;
        if (message.Type is not (RtnlProtocol.NewRoute or RtnlProtocol.DeleteRoute) || payload.Length < RtnlProtocol.RtMsgLength)
        {
            return false;
        }

        var family = (IpFamily)payload[0];
        if (family is not (IpFamily.IPv4 or IpFamily.IPv6))
        {
            return false;
        }

        int dstLength = payload[1];
        uint table = payload[4];
        IPAddress? destination = null;
        IPAddress? gateway = null;
        int? oif = null;
        uint? metric = null;
        foreach (var attribute in message.Attributes(RtnlProtocol.RtMsgLength))
        {
            switch (attribute.Type)
            {
                case RtnlProtocol.RouteDestination when attribute.Payload.Length is 4 or 16:
                    destination = attribute.AsAddress();
                    break;
                case RtnlProtocol.RouteGateway when attribute.Payload.Length is 4 or 16:
                    gateway = attribute.AsAddress();
                    break;
                case RtnlProtocol.RouteOutputInterface:
                    oif = (int)attribute.U32;
                    break;
                case RtnlProtocol.RoutePriority:
                    metric = attribute.U32;
                    break;
                case RtnlProtocol.RouteTable:
                    table = attribute.U32;
                    break;
            }
        }

        IPNetwork? prefix = dstLength == 0
            ? null
            : IpText.Prefix(destination ?? (family == IpFamily.IPv6 ? IPAddress.IPv6Any : IPAddress.Any), dstLength);
        route = new RouteInfo(family, prefix, (RouteType)payload[7], gateway, oif, table, metric, payload[5], (RouteScope)payload[6]);
        return true;
    }

    /// <summary>An address attribute in network order (4 or 16 bytes).</summary>
    public static void WriteAddress(NetlinkWriter writer, ushort type, IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        writer.WriteAttribute(type, bytes[..length]);
    }
}
