using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>
/// The IPv4 network the server hands out to clients (OpenVPN's <c>server NETWORK NETMASK</c>): a network
/// address with its host bits clear, /16 to /29. The server takes the first host address.
/// </summary>
internal sealed record TunnelSubnet(IPAddress Network, int PrefixLength)
{
    public const string Default = "10.8.0.0/24";

    public IPAddress Netmask => FromUInt32(PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength));

    /// <summary>The server's own tunnel address (network + 1), also the address clients ping.</summary>
    public IPAddress ServerAddress => FromUInt32(ToUInt32(Network) + 1);

    public static bool TryParse(string text, out TunnelSubnet? subnet, out string? error)
    {
        subnet = null;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 ||
            !IPAddress.TryParse(text[..slash], out var address) || address.AddressFamily != AddressFamily.InterNetwork || text[..slash].Split('.').Length != 4 ||
            !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            error = $"'{text}' is not an IPv4 network in CIDR form (like {Default})";
            return false;
        }

        if (prefix is < 16 or > 29)
        {
            error = $"'{text}': the prefix must be /16 to /29 (OpenVPN needs room for the server and its clients)";
            return false;
        }

        var value = ToUInt32(address);
        var mask = uint.MaxValue << (32 - prefix);
        if ((value & ~mask) != 0)
        {
            error = $"'{text}' has host bits set; the network is {FromUInt32(value & mask)}/{prefix}";
            return false;
        }

        var first = value >> 24;
        if (first is 0 or 127 or >= 224 || (value & 0xFFFF0000) == 0xA9FE0000)
        {
            error = $"'{text}' is not usable for a tunnel (unspecified, loopback, link-local, multicast or reserved)";
            return false;
        }

        subnet = new TunnelSubnet(address, prefix);
        error = null;
        return true;
    }

    public override string ToString() => $"{Network}/{PrefixLength}";

    private static uint ToUInt32(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    private static IPAddress FromUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return new IPAddress(bytes);
    }
}
