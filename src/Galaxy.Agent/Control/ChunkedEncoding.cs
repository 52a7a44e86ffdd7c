using System.Globalization;
using System.Text;

namespace Galaxy.Agent.Control;

/// <summary>What <see cref="ChunkedEncoding.TryRead"/> found at the start of a buffer.</summary>
internal enum ChunkStatus
{
    /// <summary>Not a whole chunk yet: read more.</summary>
    Incomplete,

    /// <summary>A data chunk: its bytes and how much of the buffer it took.</summary>
    Chunk,

    /// <summary>The last chunk (and an empty trailer): the body is complete.</summary>
    End,

    /// <summary>Not chunked framing.</summary>
    Invalid,
}

/// <summary>
/// HTTP/1.1 chunked transfer coding, pure, as the event stream uses it (RFC 9112 §7.1):
/// <code>
/// chunked-body = *chunk last-chunk trailer-section CRLF
/// chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF      chunk-size = 1*HEXDIG
/// last-chunk   = 1*("0") [ chunk-ext ] CRLF
/// </code>
/// The server writes one event line per chunk; the reader accepts any chunking (extensions and trailers are
/// skipped), with chunks of at most <see cref="MaxChunkBytes"/>.
/// </summary>
internal static class ChunkedEncoding
{
    public const int MaxChunkBytes = 1024 * 1024;
    private const int MaxLineBytes = 256;

    /// <summary>The end of a chunked body: <c>0 CRLF CRLF</c>.</summary>
    public static ReadOnlySpan<byte> LastChunk => "0\r\n\r\n"u8;

    /// <summary>One chunk holding <paramref name="text"/> in UTF-8.</summary>
    public static byte[] Chunk(string text)
    {
        var data = Encoding.UTF8.GetBytes(text);
        var head = Encoding.ASCII.GetBytes(data.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
        var chunk = new byte[head.Length + data.Length + 2];
        head.CopyTo(chunk, 0);
        data.CopyTo(chunk, head.Length);
        chunk[^2] = (byte)'\r';
        chunk[^1] = (byte)'\n';
        return chunk;
    }

    /// <summary>Reads the chunk at the start of <paramref name="buffer"/>: its data range and the bytes it took.</summary>
    public static ChunkStatus TryRead(ReadOnlySpan<byte> buffer, out Range data, out int consumed)
    {
        data = default;
        consumed = 0;
        var lineEnd = buffer.IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            return buffer.Length > MaxLineBytes ? ChunkStatus.Invalid : ChunkStatus.Incomplete;
        }

        var sizeText = buffer[..lineEnd];
        var extension = sizeText.IndexOf((byte)';');
        if (extension >= 0)
        {
            sizeText = sizeText[..extension];
        }

        sizeText = sizeText.TrimEnd(" \t"u8);
        if (sizeText.IsEmpty || sizeText.Length > 8 || !IsHex(sizeText)
            || !int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size)
            || size is < 0 or > MaxChunkBytes)
        {
            return ChunkStatus.Invalid;
        }

        var start = lineEnd + 2;
        if (size == 0)
        {
            // Trailer fields, each ending in CRLF, until an empty line.
            var at = start;
            while (true)
            {
                var end = buffer[at..].IndexOf("\r\n"u8);
                if (end < 0)
                {
                    return buffer.Length - at > MaxLineBytes ? ChunkStatus.Invalid : ChunkStatus.Incomplete;
                }

                at += end + 2;
                if (end == 0)
                {
                    consumed = at;
                    return ChunkStatus.End;
                }
            }
        }

        if (buffer.Length < start + size + 2)
        {
            return ChunkStatus.Incomplete;
        }

        if (buffer[start + size] != '\r' || buffer[start + size + 1] != '\n')
        {
            return ChunkStatus.Invalid;
        }

        data = new Range(start, start + size);
        consumed = start + size + 2;
        return ChunkStatus.Chunk;
    }

    private static bool IsHex(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (!char.IsAsciiHexDigit((char)b))
            {
                return false;
            }
        }

        return true;
    }
}
