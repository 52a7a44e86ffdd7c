using System.Buffers.Binary;
using System.Net;

namespace Galaxy.Agent.Relay.Udp;

/// <summary>
/// Decodes the kernel's socket addresses and the ancillary data the UDP relay reads, as pure functions.
/// <code>
/// struct sockaddr_in  { u16 family (2, host order); be16 port; u8 addr[4]; u8 zero[8]; }             16 bytes
/// struct sockaddr_in6 { u16 family (10); be16 port; be32 flowinfo; u8 addr[16]; u32 scope_id; }      28 bytes
/// struct cmsghdr      { size_t len; int level; int type; } then data, aligned to 8                   16 bytes
/// IP_ORIGDSTADDR: level SOL_IP (0), type 20, data sockaddr_in; IPV6_ORIGDSTADDR: level SOL_IPV6 (41), type 74.
/// </code>
/// </summary>
internal static class SocketAddressCodec
{
    public const int AfInet = 2;
    public const int AfInet6 = 10;
    public const int SolIp = 0;
    public const int SolIpv6 = 41;
    public const int IpOriginalDestination = 20;
    public const int Ipv6OriginalDestination = 74;
    private const int ControlHeaderLength = 16;

    /// <summary>Reads a sockaddr_in or sockaddr_in6; null for anything else.</summary>
    public static IPEndPoint? ReadSocketAddress(ReadOnlySpan<byte> address)
    {
        if (address.Length < 2)
        {
            return null;
        }

        var family = BinaryPrimitives.ReadUInt16LittleEndian(address);
        if (family == AfInet && address.Length >= 16)
        {
            return new IPEndPoint(new IPAddress(address.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(address[2..]));
        }

        if (family == AfInet6 && address.Length >= 28)
        {
            var ip = new IPAddress(address.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(address[24..]));
            return new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, BinaryPrimitives.ReadUInt16BigEndian(address[2..]));
        }

        return null;
    }

    /// <summary>
    /// Writes <paramref name="endPoint"/> as a sockaddr_in or sockaddr_in6 (zeroed first, no flow label or scope
    /// unless the address has one) into <paramref name="address"/> (at least 28 bytes); returns its length.
    /// </summary>
    public static int WriteSocketAddress(IPEndPoint endPoint, Span<byte> address)
    {
        address[..28].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(address[2..], (ushort)endPoint.Port);
        if (endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(address, AfInet);
            endPoint.Address.TryWriteBytes(address.Slice(4, 4), out _);
            return 16;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(address, AfInet6);
        endPoint.Address.TryWriteBytes(address.Slice(8, 16), out _);
        BinaryPrimitives.WriteUInt32LittleEndian(address[24..], (uint)endPoint.Address.ScopeId);
        return 28;
    }

    /// <summary>Finds IP_ORIGDSTADDR / IPV6_ORIGDSTADDR among the control messages of one recvmsg.</summary>
    public static IPEndPoint? ReadOriginalDestination(ReadOnlySpan<byte> control)
    {
        while (control.Length >= ControlHeaderLength)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(control);
            if (length < ControlHeaderLength || length > control.Length)
            {
                return null;
            }

            var level = BinaryPrimitives.ReadInt32LittleEndian(control[8..]);
            var type = BinaryPrimitives.ReadInt32LittleEndian(control[12..]);
            if ((level == SolIp && type == IpOriginalDestination) || (level == SolIpv6 && type == Ipv6OriginalDestination))
            {
                return ReadSocketAddress(control[ControlHeaderLength..length]);
            }

            var next = (length + 7) & ~7;
            control = next < control.Length ? control[next..] : [];
        }

        return null;
    }
}
