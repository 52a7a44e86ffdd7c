using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// An address as an unsigned big-endian number, IPv4 in the low 32 bits; IPv4-mapped IPv6 addresses
/// count as IPv4. Computed without allocating.
/// </summary>
internal readonly record struct AddressKey(bool IsV6, UInt128 Value)
{
    public static AddressKey Of(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            throw new ArgumentException($"cannot read address {address}", nameof(address));
        }

        if (written == 4)
        {
            return new AddressKey(false, BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return new AddressKey(false, BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]));
        }

        return new AddressKey(true, BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    /// <summary>The first and last address of a network, in its family's numbering.</summary>
    public static (bool IsV6, UInt128 First, UInt128 Last) RangeOf(IPNetwork network)
    {
        var key = Of(network.BaseAddress);
        var bits = network.BaseAddress.AddressFamily == AddressFamily.InterNetworkV6 && !network.BaseAddress.IsIPv4MappedToIPv6 ? 128 : 32;
        var prefix = network.BaseAddress.IsIPv4MappedToIPv6 ? network.PrefixLength - 96 : network.PrefixLength;
        if (prefix < 0)
        {
            throw new ArgumentException($"network {network} is shorter than the IPv4-mapped prefix", nameof(network));
        }

        var hostBits = bits - prefix;
        var hostMask = hostBits == 128 ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        var first = key.Value & ~hostMask;
        return (key.IsV6, first, first | hostMask);
    }
}
