using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Galaxy.Netlink.NfTables;

/// <summary>Encodes set keys and cmp constants the way nft does (packet fields network order, meta host order).</summary>
public static class NfKey
{
    /// <summary>A port: 2 bytes big-endian.</summary>
    public static byte[] Port(ushort port)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, port);
        return bytes;
    }

    /// <summary>An IP protocol number: 1 byte.</summary>
    public static byte[] Protocol(byte protocol) => [protocol];

    /// <summary>A mark, uid or gid: 4 bytes host order (little-endian here).</summary>
    public static byte[] HostU32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return bytes;
    }

    /// <summary>An address in network order (4 or 16 bytes).</summary>
    public static byte[] Address(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.GetAddressBytes();
    }

    /// <summary>
    /// An interface name: 16 bytes zero-padded, or for a wildcard (<c>lan*</c>) just the prefix bytes.
    /// </summary>
    public static byte[] InterfaceName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var wildcard = name.EndsWith('*');
        var text = wildcard ? name[..^1] : name;
        var bytes = Encoding.ASCII.GetBytes(text);
        if (bytes.Length > 15 || text.Contains('*', StringComparison.Ordinal))
        {
            throw new ArgumentException($"interface name '{name}' is not a valid name (at most 15 characters, '*' only at the end)", nameof(name));
        }

        if (wildcard)
        {
            return bytes;
        }

        var padded = new byte[16];
        bytes.CopyTo(padded, 0);
        return padded;
    }
}
