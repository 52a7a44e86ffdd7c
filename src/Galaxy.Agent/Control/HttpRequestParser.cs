using System.Globalization;
using System.Text;

namespace Galaxy.Agent.Control;

/// <summary>
/// A small, strict HTTP/1.1 request parser over bytes, a pure function (no socket, no state between calls: the
/// caller appends what it read and calls again). Why not Kestrel: ASP.NET Core's server, hosting and DI would
/// multiply the NativeAOT binary's size and start-up for five GET endpoints on a local socket; the control API
/// needs a tenth of HTTP, and a strict parser of that tenth is easier to bound and to fuzz.
/// <code>
/// request      = request-line *( header-field CRLF ) CRLF [ body ]      (RFC 9112 §2.1)
/// request-line = method SP request-target SP HTTP-version CRLF
/// header-field = field-name ":" OWS field-value OWS
/// </code>
/// Accepted: methods of upper-case letters, origin-form targets ("/v1/status?x"), HTTP/1.1 (Host required) and
/// HTTP/1.0, bodies by Content-Length only. Refused: bare LF or CR, obs-fold, whitespace before the colon, control
/// characters, Transfer-Encoding (501), conflicting Content-Length, a head over <see cref="MaxHeadBytes"/> or a
/// body over <see cref="MaxBodyBytes"/> (413), more than <see cref="MaxHeaders"/> headers.
/// </summary>
internal static class HttpRequestParser
{
    /// <summary>The request line and headers together, CRLFs included, at most this many bytes.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    /// <summary>A Content-Length body of at most this many bytes.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>At most this many header fields.</summary>
    public const int MaxHeaders = 64;

    private const int MaxMethodLength = 16;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>Parses the request at the start of <paramref name="buffer"/>.</summary>
    public static HttpParseOutcome Parse(ReadOnlySpan<byte> buffer)
    {
        var searched = buffer.Length > MaxHeadBytes ? buffer[..MaxHeadBytes] : buffer;
        var end = searched.IndexOf(HeadEnd);
        if (end < 0)
        {
            if (buffer.Length >= MaxHeadBytes)
            {
                return HttpParseOutcome.Refuse(413, $"request line and headers exceed {MaxHeadBytes} bytes");
            }

            // Fail early on what can never become valid (a bare LF, a NUL), so garbage is not awaited for 5 s.
            return HasForbiddenByte(buffer) ? HttpParseOutcome.Refuse(400, "control character in the request head") : HttpParseOutcome.NeedMore;
        }

        var head = buffer[..(end + 2)];
        var lineEnd = head.IndexOf("\r\n"u8);
        var requestLine = ParseRequestLine(head[..lineEnd], out var method, out var path, out var query, out var http10);
        if (requestLine is not null)
        {
            return requestLine.Value;
        }

        var headers = new List<KeyValuePair<string, string>>();
        var rest = head[(lineEnd + 2)..];
        long? contentLength = null;
        var hosts = 0;
        while (!rest.IsEmpty)
        {
            var crlf = rest.IndexOf("\r\n"u8);
            var line = rest[..crlf];
            rest = rest[(crlf + 2)..];
            if (headers.Count == MaxHeaders)
            {
                return HttpParseOutcome.Refuse(413, $"more than {MaxHeaders} headers");
            }

            var field = ParseHeader(line, out var name, out var value);
            if (field is not null)
            {
                return field.Value;
            }

            if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                return HttpParseOutcome.Refuse(501, "Transfer-Encoding is not supported; send Content-Length");
            }

            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                hosts++;
            }

            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Length is 0 or > 19 || !value.All(char.IsAsciiDigit)
                    || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                {
                    return HttpParseOutcome.Refuse(400, "Content-Length is not a decimal number");
                }

                if (contentLength is { } earlier && earlier != length)
                {
                    return HttpParseOutcome.Refuse(400, "conflicting Content-Length headers");
                }

                contentLength = length;
            }

            headers.Add(new(name, value));
        }

        if (!http10 && hosts != 1)
        {
            return HttpParseOutcome.Refuse(400, hosts == 0 ? "HTTP/1.1 request without Host" : "more than one Host header");
        }

        var bodyLength = contentLength ?? 0;
        if (bodyLength > MaxBodyBytes)
        {
            return HttpParseOutcome.Refuse(413, $"body exceeds {MaxBodyBytes} bytes");
        }

        var headLength = end + HeadEnd.Length;
        if (buffer.Length - headLength < bodyLength)
        {
            return HttpParseOutcome.NeedMore;
        }

        var body = buffer.Slice(headLength, (int)bodyLength).ToArray();
        return HttpParseOutcome.Done(new HttpRequest(method, path, query, headers, body), headLength + (int)bodyLength);
    }

    private static HttpParseOutcome? ParseRequestLine(ReadOnlySpan<byte> line, out string method, out string path, out string query, out bool http10)
    {
        method = path = query = "";
        http10 = false;
        var firstSpace = line.IndexOf((byte)' ');
        if (firstSpace <= 0 || firstSpace > MaxMethodLength)
        {
            return HttpParseOutcome.Refuse(400, "malformed request line");
        }

        var methodBytes = line[..firstSpace];
        foreach (var b in methodBytes)
        {
            if (b is < (byte)'A' or > (byte)'Z')
            {
                return HttpParseOutcome.Refuse(400, "malformed method");
            }
        }

        var afterMethod = line[(firstSpace + 1)..];
        var secondSpace = afterMethod.IndexOf((byte)' ');
        if (secondSpace <= 0)
        {
            return HttpParseOutcome.Refuse(400, "malformed request line");
        }

        var target = afterMethod[..secondSpace];
        var version = afterMethod[(secondSpace + 1)..];
        if (target[0] != (byte)'/')
        {
            return HttpParseOutcome.Refuse(400, "request target is not an absolute path");
        }

        foreach (var b in target)
        {
            if (b is < 0x21 or > 0x7E)
            {
                return HttpParseOutcome.Refuse(400, "invalid character in the request target");
            }
        }

        if (version.SequenceEqual("HTTP/1.0"u8))
        {
            http10 = true;
        }
        else if (!version.SequenceEqual("HTTP/1.1"u8))
        {
            return version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5]) && version[6] == (byte)'.' && char.IsAsciiDigit((char)version[7])
                ? HttpParseOutcome.Refuse(505, "only HTTP/1.1 is spoken")
                : HttpParseOutcome.Refuse(400, "malformed HTTP version");
        }

        method = Encoding.ASCII.GetString(methodBytes);
        var targetText = Encoding.ASCII.GetString(target);
        var question = targetText.IndexOf('?', StringComparison.Ordinal);
        path = question < 0 ? targetText : targetText[..question];
        query = question < 0 ? "" : targetText[(question + 1)..];
        return null;
    }

    private static HttpParseOutcome? ParseHeader(ReadOnlySpan<byte> line, out string name, out string value)
    {
        name = value = "";
        if (line.IsEmpty || line[0] is (byte)' ' or (byte)'\t')
        {
            return HttpParseOutcome.Refuse(400, "obsolete line folding or empty header line");
        }

        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            return HttpParseOutcome.Refuse(400, "header line without a name and a colon");
        }

        var nameBytes = line[..colon];
        foreach (var b in nameBytes)
        {
            if (!IsTokenByte(b))
            {
                return HttpParseOutcome.Refuse(400, "invalid character in a header name");
            }
        }

        var valueBytes = line[(colon + 1)..];
        foreach (var b in valueBytes)
        {
            if (b is < 0x20 and not (byte)'\t' || b == 0x7F)
            {
                return HttpParseOutcome.Refuse(400, "control character in a header value");
            }
        }

        name = Encoding.ASCII.GetString(nameBytes);
        value = Encoding.Latin1.GetString(valueBytes).Trim(' ', '\t');
        return null;
    }

    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static bool IsTokenByte(byte b) =>
        char.IsAsciiLetterOrDigit((char)b) || b is (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\''
            or (byte)'*' or (byte)'+' or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';

    private static bool HasForbiddenByte(ReadOnlySpan<byte> partial)
    {
        for (var i = 0; i < partial.Length; i++)
        {
            var b = partial[i];
            if (b == 0 || (b == (byte)'\n' && (i == 0 || partial[i - 1] != (byte)'\r')))
            {
                return true;
            }

            if (b == (byte)'\r' && i + 1 < partial.Length && partial[i + 1] != (byte)'\n')
            {
                return true;
            }
        }

        return false;
    }
}
