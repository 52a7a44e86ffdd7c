namespace Galaxy.Agent.Dns;

/// <summary>
/// The numbers of the DNS wire format this forwarder reads and writes (RFC 1035 §4.1, RFC 3596, RFC 6891).
/// <code>
/// header (12 bytes, big-endian):
///   u16 id
///   u16 flags: QR(15) | OPCODE(14..11) | AA(10) | TC(9) | RD(8) | RA(7) | Z(6) | AD(5) | CD(4) | RCODE(3..0)
///   u16 qdcount; u16 ancount; u16 nscount; u16 arcount
/// question: name, u16 type, u16 class
/// resource record: name, u16 type, u16 class, u32 ttl, u16 rdlength, rdata[rdlength]
/// name: labels (u8 length 1..63, then bytes) ending in a zero byte, or in a pointer (two bytes 11xxxxxx xxxxxxxx:
///   a 14-bit offset from the start of the message where the rest of the name is).
/// </code>
/// </summary>
internal static class DnsWire
{
    public const int HeaderLength = 12;
    public const int MaxNameLength = 255;
    public const int MaxLabelLength = 63;
    public const int MaxUdpWithoutEdns = 512;
    public const int MaxMessageLength = 65535;

    public const ushort FlagResponse = 0x8000;
    public const ushort OpcodeMask = 0x7800;
    public const ushort FlagAuthoritative = 0x0400;
    public const ushort FlagTruncated = 0x0200;
    public const ushort FlagRecursionDesired = 0x0100;
    public const ushort FlagRecursionAvailable = 0x0080;
    public const ushort FlagCheckingDisabled = 0x0010;
    public const ushort ResponseCodeMask = 0x000F;

    public const ushort TypeA = 1;
    public const ushort TypeNs = 2;
    public const ushort TypeCname = 5;
    public const ushort TypeSoa = 6;
    public const ushort TypePtr = 12;
    public const ushort TypeAaaa = 28;
    public const ushort TypeOpt = 41;

    public const ushort ClassInternet = 1;
}

/// <summary>RCODE values (RFC 1035 §4.1.1).</summary>
internal enum DnsResponseCode : byte
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
}

/// <summary>Why a message could not be read; the hot path branches on this instead of catching exceptions.</summary>
internal enum DnsReadOutcome
{
    Ok,

    /// <summary>Shorter than a header, or a section runs past the end of the message.</summary>
    Truncated,

    /// <summary>A label type that is neither a length (00) nor a pointer (11).</summary>
    BadLabel,

    /// <summary>A compression pointer outside the message, or too many pointers in one name (a loop).</summary>
    BadPointer,

    /// <summary>A name longer than 255 bytes on the wire.</summary>
    NameTooLong,

    /// <summary>Well-formed, but not what this reader accepts (a response where a query was expected, more than one question, …).</summary>
    Unsupported,
}
