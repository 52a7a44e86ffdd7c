using System.Buffers;
using System.Buffers.Binary;

namespace Galaxy.Agent.Relay.Sniffing;

/// <summary>
/// Reads the server name (SNI) a TLS client asks for from the first bytes of its connection: pure, bounded, and
/// never throwing on hostile input. A ClientHello split over several records is put back together; a hello
/// cut short by the end of the bytes answers <see cref="SniffOutcome.NeedMore"/> until the name is in reach.
/// </summary>
/// <remarks>
/// Wire layout (RFC 8446 §5.1, §4, §4.1.2, §4.2; RFC 6066 §3):
/// <code>
/// TLSPlaintext  : u8 type (22 handshake) | u16 legacy_record_version (0x03 0x00..0x04) | u16 length (≤ 2^14) | fragment
/// Handshake     : u8 msg_type (1 client_hello) | u24 length | body
/// ClientHello   : u16 legacy_version | 32 random | u8 len session_id (≤ 32) | u16 len cipher_suites (even, ≥ 2)
///                 | u8 len compression_methods (≥ 1) | [ u16 len extensions ]
/// Extension     : u16 extension_type | u16 len extension_data
/// server_name(0): u16 len server_name_list | { u8 name_type (0 host_name) | u16 len HostName }*
/// </code>
/// </remarks>
internal static class TlsClientHello
{
    private const byte ContentTypeHandshake = 22;
    private const byte HandshakeClientHello = 1;
    private const int RecordHeaderLength = 5;
    private const int MaxRecordLength = 1 << 14;
    private const int HandshakeHeaderLength = 4;
    private const ushort ExtensionServerName = 0;
    private const byte NameTypeHostName = 0;

    /// <summary>A split ClientHello larger than this is not put back together (real ones are under 4 KiB).</summary>
    private const int MaxReassembledLength = 64 * 1024;

    /// <summary>The normalised SNI host name of the ClientHello at the start of <paramref name="data"/>.</summary>
    public static SniffOutcome TryReadServerName(ReadOnlySpan<byte> data, out string? serverName)
    {
        serverName = null;
        var header = ReadRecordHeader(data, out var firstLength);
        if (header != SniffOutcome.Found)
        {
            return header;
        }

        // The handshake header is in the first record's fragment (a record of fewer than 4 bytes is legal but
        // no real client sends one; such a hello is given up).
        if (firstLength < HandshakeHeaderLength)
        {
            return SniffOutcome.NoName;
        }

        if (data.Length < RecordHeaderLength + HandshakeHeaderLength)
        {
            return SniffOutcome.NeedMore;
        }

        var handshake = data.Slice(RecordHeaderLength);
        if (handshake[0] != HandshakeClientHello)
        {
            return SniffOutcome.NoName;
        }

        var helloLength = (handshake[1] << 16) | (handshake[2] << 8) | handshake[3];
        var messageLength = HandshakeHeaderLength + helloLength;
        if (messageLength <= firstLength)
        {
            // The whole hello is in the first record (the usual case): no copy.
            var available = Math.Min(messageLength, handshake.Length);
            return ParseHello(handshake[HandshakeHeaderLength..available], helloLength, out serverName);
        }

        if (messageLength > MaxReassembledLength)
        {
            return SniffOutcome.NoName;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(messageLength);
        try
        {
            var gathered = Reassemble(data, buffer.AsSpan(0, messageLength), out var outcome);
            if (outcome != SniffOutcome.Found)
            {
                return outcome;
            }

            return ParseHello(buffer.AsSpan(HandshakeHeaderLength, gathered - HandshakeHeaderLength), helloLength, out serverName);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Found when a plausible handshake record header starts <paramref name="data"/>.</summary>
    private static SniffOutcome ReadRecordHeader(ReadOnlySpan<byte> data, out int length)
    {
        length = 0;
        if (data.IsEmpty)
        {
            return SniffOutcome.NeedMore;
        }

        if (data[0] != ContentTypeHandshake || (data.Length > 1 && data[1] != 3) || (data.Length > 2 && data[2] > 4))
        {
            return SniffOutcome.Unrecognized;
        }

        if (data.Length < RecordHeaderLength)
        {
            return SniffOutcome.NeedMore;
        }

        length = BinaryPrimitives.ReadUInt16BigEndian(data[3..]);
        return length is 0 or > MaxRecordLength ? SniffOutcome.Unrecognized : SniffOutcome.Found;
    }

    /// <summary>
    /// Copies the handshake bytes of consecutive handshake records into <paramref name="message"/>; returns how
    /// many there were (fewer than asked when the bytes run out). NoName when another record type interrupts
    /// the hello.
    /// </summary>
    private static int Reassemble(ReadOnlySpan<byte> data, Span<byte> message, out SniffOutcome outcome)
    {
        var gathered = 0;
        while (gathered < message.Length)
        {
            var header = ReadRecordHeader(data, out var length);
            if (header == SniffOutcome.NeedMore)
            {
                break; // the bytes end between records: parse what there is
            }

            if (header != SniffOutcome.Found)
            {
                outcome = SniffOutcome.NoName; // another record type interrupts the hello
                return gathered;
            }

            var fragment = data.Slice(RecordHeaderLength);
            var take = Math.Min(Math.Min(length, fragment.Length), message.Length - gathered);
            fragment[..take].CopyTo(message[gathered..]);
            gathered += take;
            if (take < length && gathered < message.Length)
            {
                break; // the bytes end inside this record
            }

            data = data.Slice(RecordHeaderLength + take);
        }

        outcome = SniffOutcome.Found;
        return gathered;
    }

    /// <summary>
    /// Walks the ClientHello body; <paramref name="hello"/> holds the first bytes of a body of
    /// <paramref name="declaredLength"/> bytes (all of it, or a prefix when the bytes ran out).
    /// </summary>
    private static SniffOutcome ParseHello(ReadOnlySpan<byte> hello, int declaredLength, out string? serverName)
    {
        serverName = null;
        var reader = new BoundedReader(hello, declaredLength);

        // legacy_version and random.
        if (!reader.Skip(2 + 32, out var outcome) ||
            !reader.SkipVector(lengthBytes: 1, maxLength: 32, out outcome) ||
            !reader.SkipVector(lengthBytes: 2, maxLength: ushort.MaxValue, out outcome) ||
            !reader.SkipVector(lengthBytes: 1, maxLength: byte.MaxValue, out outcome))
        {
            return outcome;
        }

        if (reader.AtDeclaredEnd)
        {
            return SniffOutcome.NoName; // a hello without extensions (TLS 1.0 era)
        }

        if (!reader.ReadLength(2, out var extensionsLength, out outcome) || !reader.Narrow(extensionsLength, out outcome))
        {
            return outcome;
        }

        while (!reader.AtDeclaredEnd)
        {
            if (!reader.ReadLength(2, out var type, out outcome) || !reader.ReadLength(2, out var length, out outcome))
            {
                return outcome;
            }

            if (type != ExtensionServerName)
            {
                if (!reader.Skip(length, out outcome))
                {
                    return outcome;
                }

                continue;
            }

            if (!reader.Narrow(length, out outcome) ||
                !reader.ReadLength(2, out var listLength, out outcome) ||
                !reader.Narrow(listLength, out outcome))
            {
                return outcome;
            }

            while (!reader.AtDeclaredEnd)
            {
                if (!reader.ReadLength(1, out var nameType, out outcome) ||
                    !reader.ReadLength(2, out var nameLength, out outcome) ||
                    !reader.Take(nameLength, out var name, out outcome))
                {
                    return outcome;
                }

                if (nameType == NameTypeHostName)
                {
                    serverName = HostName.Normalize(name);
                    return serverName is null ? SniffOutcome.NoName : SniffOutcome.Found;
                }
            }

            return SniffOutcome.NoName; // a server_name extension without a host_name
        }

        return SniffOutcome.NoName;
    }

    /// <summary>
    /// Reads inside a declared length of which only a prefix may be present: running past the declared end is
    /// malformed (NoName), running past the present bytes asks for more (NeedMore).
    /// </summary>
    private ref struct BoundedReader(ReadOnlySpan<byte> present, int declaredLength)
    {
        private readonly ReadOnlySpan<byte> _present = present;
        private int _position;
        private int _end = declaredLength;

        public readonly bool AtDeclaredEnd => _position >= _end;

        public bool Skip(int count, out SniffOutcome outcome)
        {
            if (!Check(count, out outcome))
            {
                return false;
            }

            _position += count;
            return true;
        }

        public bool Take(int count, out ReadOnlySpan<byte> bytes, out SniffOutcome outcome)
        {
            bytes = default;
            if (!Check(count, out outcome))
            {
                return false;
            }

            bytes = _present.Slice(_position, count);
            _position += count;
            return true;
        }

        public bool ReadLength(int size, out int value, out SniffOutcome outcome)
        {
            value = 0;
            if (!Take(size, out var bytes, out outcome))
            {
                return false;
            }

            foreach (var b in bytes)
            {
                value = (value << 8) | b;
            }

            return true;
        }

        public bool SkipVector(int lengthBytes, int maxLength, out SniffOutcome outcome)
        {
            if (!ReadLength(lengthBytes, out var length, out outcome))
            {
                return false;
            }

            if (length > maxLength)
            {
                outcome = SniffOutcome.NoName;
                return false;
            }

            return Skip(length, out outcome);
        }

        /// <summary>The next <paramref name="count"/> bytes become the whole of what is left to read.</summary>
        public bool Narrow(int count, out SniffOutcome outcome)
        {
            if (count > _end - _position)
            {
                outcome = SniffOutcome.NoName;
                return false;
            }

            _end = _position + count;
            outcome = SniffOutcome.Found;
            return true;
        }

        private readonly bool Check(int count, out SniffOutcome outcome)
        {
            if (count > _end - _position)
            {
                outcome = SniffOutcome.NoName;
                return false;
            }

            if (count > _present.Length - _position)
            {
                outcome = SniffOutcome.NeedMore;
                return false;
            }

            outcome = SniffOutcome.Found;
            return true;
        }
    }
}
