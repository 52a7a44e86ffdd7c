using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Galaxy.Agent.Egress.Socks5;

/// <summary>
/// A SOCKS5 destination (RFC 1928 §4/§5): an IPv4 or IPv6 address, or a domain name of at most 255 bytes,
/// with a port.
/// </summary>
internal readonly record struct Socks5Address
{
    private Socks5Address(IPAddress? address, string? domain, ushort port)
    {
        Address = address;
        Domain = domain;
        Port = port;
    }

    public IPAddress? Address { get; }

    public string? Domain { get; }

    public ushort Port { get; }

    /// <summary>ATYP: 0x01 IPv4, 0x03 domain name, 0x04 IPv6.</summary>
    public byte AddressType => Domain is not null ? (byte)0x03 : Address!.AddressFamily == AddressFamily.InterNetwork ? (byte)0x01 : (byte)0x04;

    /// <summary>The encoded length of ATYP, address and port.</summary>
    public int EncodedLength => 1 + AddressType switch
    {
        0x01 => 4,
        0x04 => 16,
        _ => 1 + Encoding.ASCII.GetByteCount(Domain!),
    } + 2;

    public static Socks5Address FromEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        return new Socks5Address(address, null, (ushort)endPoint.Port);
    }

    public static Socks5Address FromDomain(string domain, ushort port)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        if (domain.Length > 255 || !Ascii.IsValid(domain) || domain.Any(c => c <= ' ' || c == 0x7f))
        {
            throw new ArgumentException($"\"{domain}\" is not a SOCKS5 domain name (printable ASCII, 1-255 bytes)", nameof(domain));
        }

        return new Socks5Address(null, domain, port);
    }

    internal static Socks5Address FromParts(IPAddress? address, string? domain, ushort port) => new(address, domain, port);

    public override string ToString() => Domain is not null
        ? $"{Domain}:{Port}"
        : Address!.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Address}]:{Port}" : $"{Address}:{Port}";
}
