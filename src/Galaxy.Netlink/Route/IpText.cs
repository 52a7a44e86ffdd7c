using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Netlink.Route;

/// <summary>Shared pieces of the <c>ip</c> command text and of prefix handling.</summary>
internal static class IpText
{
    public static IpFamily FamilyOf(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? IpFamily.IPv6 : IpFamily.IPv4;

    public static int AddressLength(IpFamily family) => family == IpFamily.IPv6 ? 16 : 4;

    /// <summary><c>-4</c> or <c>-6</c>.</summary>
    public static string Switch(IpFamily family) => family == IpFamily.IPv6 ? "-6" : "-4";

    public static string Number(uint value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Hex(uint value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>A prefix with the host bits cleared (the kernel stores prefixes masked).</summary>
    public static IPNetwork Prefix(IPAddress address, int prefixLength)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        var bits = Math.Clamp(prefixLength, 0, length * 8);
        for (var i = 0; i < length; i++)
        {
            var keep = Math.Clamp(bits - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff00 >> keep);
        }

        return new IPNetwork(new IPAddress(bytes), bits);
    }

    public static string Describe(IPNetwork? prefix) => prefix is { } p ? p.ToString() : "default";
}
