using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Galaxy.Agent.Egress.Socks5;

/// <summary>The outcome of decoding one SOCKS5 message from the bytes received so far.</summary>
internal enum Socks5Decode
{
    /// <summary>The message is complete; the out values are set.</summary>
    Done,

    /// <summary>More bytes are needed.</summary>
    NeedMore,

    /// <summary>The bytes are not the expected SOCKS5 message: close the connection.</summary>
    Invalid,
}

/// <summary>
/// SOCKS5 client messages (RFC 1928) and username/password sub-negotiation (RFC 1929), as pure
/// functions over spans. Encoders return the number of bytes written; decoders never throw.
/// </summary>
internal static class Socks5Codec
{
    public const byte Version = 0x05;
    public const byte MethodNoAuthentication = 0x00;
    public const byte MethodUsernamePassword = 0x02;
    public const byte MethodNoneAcceptable = 0xff;
    public const byte CommandConnect = 0x01;
    public const byte CommandUdpAssociate = 0x03;

    /// <summary>The largest message this codec writes or reads (a domain request: 4 + 1 + 255 + 2).</summary>
    public const int MaxMessageLength = 513;

    /// <summary>
    /// Version identifier/method selection:
    /// <code>+-----+----------+----------+
    /// | VER | NMETHODS | METHODS  |
    /// |  1  |    1     | 1 to 255 |</code>
    /// Offers "no authentication", plus "username/password" when credentials are configured.
    /// </summary>
    public static int WriteGreeting(Span<byte> destination, bool offerUsernamePassword)
    {
        destination[0] = Version;
        if (offerUsernamePassword)
        {
            destination[1] = 2;
            destination[2] = MethodNoAuthentication;
            destination[3] = MethodUsernamePassword;
            return 4;
        }

        destination[1] = 1;
        destination[2] = MethodNoAuthentication;
        return 3;
    }

    /// <summary>The server's choice: <c>| VER 1 | METHOD 1 |</c>.</summary>
    public static Socks5Decode ReadMethodSelection(ReadOnlySpan<byte> source, out byte method)
    {
        method = MethodNoneAcceptable;
        if (source.Length < 2)
        {
            return Socks5Decode.NeedMore;
        }

        if (source[0] != Version)
        {
            return Socks5Decode.Invalid;
        }

        method = source[1];
        return Socks5Decode.Done;
    }

    /// <summary>
    /// RFC 1929 request: <c>| VER 1 (=1) | ULEN 1 | UNAME 1-255 | PLEN 1 | PASSWD 1-255 |</c>.
    /// </summary>
    public static int WriteUsernamePassword(Span<byte> destination, string username, string password)
    {
        var userLength = Encoding.UTF8.GetByteCount(username);
        var passwordLength = Encoding.UTF8.GetByteCount(password);
        if (userLength is < 1 or > 255 || passwordLength is < 1 or > 255)
        {
            throw new ArgumentException("SOCKS5 username and password must each be 1-255 bytes");
        }

        destination[0] = 0x01;
        destination[1] = (byte)userLength;
        Encoding.UTF8.GetBytes(username, destination[2..]);
        destination[2 + userLength] = (byte)passwordLength;
        Encoding.UTF8.GetBytes(password, destination[(3 + userLength)..]);
        return 3 + userLength + passwordLength;
    }

    /// <summary>RFC 1929 reply: <c>| VER 1 | STATUS 1 |</c>; status 0 is success.</summary>
    public static Socks5Decode ReadUsernamePasswordReply(ReadOnlySpan<byte> source, out bool accepted)
    {
        accepted = false;
        if (source.Length < 2)
        {
            return Socks5Decode.NeedMore;
        }

        if (source[0] != 0x01)
        {
            return Socks5Decode.Invalid;
        }

        accepted = source[1] == 0x00;
        return Socks5Decode.Done;
    }

    /// <summary>
    /// Request:
    /// <code>+-----+-----+-------+------+----------+----------+
    /// | VER | CMD |  RSV  | ATYP | DST.ADDR | DST.PORT |
    /// |  1  |  1  | X'00' |  1   | Variable |    2     |</code>
    /// </summary>
    public static int WriteRequest(Span<byte> destination, byte command, Socks5Address address)
    {
        destination[0] = Version;
        destination[1] = command;
        destination[2] = 0x00;
        return 3 + WriteAddress(destination[3..], address);
    }

    /// <summary>
    /// Reply: <c>| VER | REP | RSV | ATYP | BND.ADDR | BND.PORT |</c>. <paramref name="consumed"/> is the
    /// reply's length, so bytes after it (early data from the server) are not lost.
    /// </summary>
    public static Socks5Decode ReadReply(ReadOnlySpan<byte> source, out Socks5ReplyCode reply, out Socks5Address bound, out int consumed)
    {
        reply = Socks5ReplyCode.GeneralFailure;
        bound = default;
        consumed = 0;
        if (source.Length < 4)
        {
            return Socks5Decode.NeedMore;
        }

        if (source[0] != Version || source[2] != 0x00)
        {
            return Socks5Decode.Invalid;
        }

        var decode = ReadAddress(source[3..], out bound, out var addressLength);
        if (decode != Socks5Decode.Done)
        {
            return decode;
        }

        reply = (Socks5ReplyCode)source[1];
        consumed = 3 + addressLength;
        return Socks5Decode.Done;
    }

    /// <summary>
    /// UDP request header (RFC 1928 §7), prepended to every datagram sent to the relay:
    /// <code>| RSV 2 (=0) | FRAG 1 (=0) | ATYP | DST.ADDR | DST.PORT | DATA |</code>
    /// </summary>
    public static int WriteUdpHeader(Span<byte> destination, Socks5Address address)
    {
        destination[0] = 0;
        destination[1] = 0;
        destination[2] = 0;
        return 3 + WriteAddress(destination[3..], address);
    }

    /// <summary>
    /// Reads the UDP header of a datagram from the relay. Fragments (FRAG ≠ 0) are reported invalid:
    /// Galaxy does not reassemble, it drops them (RFC 1928 allows an implementation without fragmentation).
    /// </summary>
    public static Socks5Decode ReadUdpHeader(ReadOnlySpan<byte> datagram, out Socks5Address source, out int headerLength)
    {
        source = default;
        headerLength = 0;
        if (datagram.Length < 4 || datagram[0] != 0 || datagram[1] != 0 || datagram[2] != 0)
        {
            return Socks5Decode.Invalid;
        }

        var decode = ReadAddress(datagram[3..], out source, out var addressLength);
        if (decode == Socks5Decode.NeedMore)
        {
            return Socks5Decode.Invalid; // a datagram is complete or it is nothing
        }

        headerLength = 3 + addressLength;
        return decode;
    }

    /// <summary>Words for a reply code, for logs and for the client-facing error.</summary>
    public static string Describe(Socks5ReplyCode reply) => reply switch
    {
        Socks5ReplyCode.Succeeded => "succeeded",
        Socks5ReplyCode.GeneralFailure => "general SOCKS server failure",
        Socks5ReplyCode.NotAllowedByRuleset => "connection not allowed by ruleset",
        Socks5ReplyCode.NetworkUnreachable => "network unreachable",
        Socks5ReplyCode.HostUnreachable => "host unreachable",
        Socks5ReplyCode.ConnectionRefused => "connection refused",
        Socks5ReplyCode.TtlExpired => "TTL expired",
        Socks5ReplyCode.CommandNotSupported => "command not supported",
        Socks5ReplyCode.AddressTypeNotSupported => "address type not supported",
        _ => $"unassigned reply 0x{(byte)reply:x2}",
    };

    private static int WriteAddress(Span<byte> destination, Socks5Address address)
    {
        destination[0] = address.AddressType;
        int length;
        if (address.Domain is { } domain)
        {
            var byteCount = Encoding.ASCII.GetBytes(domain, destination[2..]);
            destination[1] = (byte)byteCount;
            length = 2 + byteCount;
        }
        else
        {
            address.Address!.TryWriteBytes(destination[1..], out var written);
            length = 1 + written;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[length..], address.Port);
        return length + 2;
    }

    private static Socks5Decode ReadAddress(ReadOnlySpan<byte> source, out Socks5Address address, out int length)
    {
        address = default;
        length = 0;
        if (source.Length < 1)
        {
            return Socks5Decode.NeedMore;
        }

        int addressLength;
        switch (source[0])
        {
            case 0x01:
                addressLength = 4;
                break;
            case 0x04:
                addressLength = 16;
                break;
            case 0x03:
                if (source.Length < 2)
                {
                    return Socks5Decode.NeedMore;
                }

                addressLength = 1 + source[1];
                break;
            default:
                return Socks5Decode.Invalid;
        }

        if (source.Length < 1 + addressLength + 2)
        {
            return Socks5Decode.NeedMore;
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(source[(1 + addressLength)..]);
        address = source[0] == 0x03
            ? Socks5Address.FromParts(null, Encoding.ASCII.GetString(source.Slice(2, addressLength - 1)), port)
            : Socks5Address.FromParts(new IPAddress(source.Slice(1, addressLength)), null, port);
        length = 1 + addressLength + 2;
        return Socks5Decode.Done;
    }
}
