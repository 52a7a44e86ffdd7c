using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Galaxy.Agent.Egress.HttpConnect;

/// <summary>The outcome of reading an HTTP CONNECT response from the bytes received so far.</summary>
internal enum HttpConnectDecode
{
    /// <summary>A 2xx status: the tunnel is open; bytes after the header belong to it.</summary>
    Established,

    /// <summary>A complete non-2xx response: the proxy refused.</summary>
    Refused,

    /// <summary>The header is not complete yet.</summary>
    NeedMore,

    /// <summary>Not an HTTP/1.x response, or a header larger than the limit.</summary>
    Invalid,
}

/// <summary>
/// HTTP CONNECT (RFC 9110 §9.3.6) as pure functions: the request a client sends to open a tunnel, and
/// the proxy's response header. Only the status line matters; the header is bounded.
/// </summary>
internal static class HttpConnectCodec
{
    /// <summary>A response header past this size is refused (tinyproxy and squid answer in well under 1 KiB).</summary>
    public const int MaxResponseHeaderLength = 8192;

    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;

    /// <summary>
    /// <code>CONNECT host:port HTTP/1.1\r\n
    /// Host: host:port\r\n
    /// [Proxy-Authorization: Basic base64(user:password)\r\n]
    /// \r\n</code>
    /// IPv6 literals are bracketed; host names are validated so that nothing can inject a header.
    /// </summary>
    public static byte[] BuildRequest(string host, ushort port, string? username = null, string? password = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        string authority;
        if (IPAddress.TryParse(host, out var address))
        {
            authority = address.AddressFamily == AddressFamily.InterNetworkV6
                ? $"[{address}]:{port.ToString(CultureInfo.InvariantCulture)}"
                : $"{address}:{port.ToString(CultureInfo.InvariantCulture)}";
        }
        else if (host.Length <= 253 && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
        {
            authority = $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";
        }
        else
        {
            throw new ArgumentException($"\"{host}\" is not a host name or address", nameof(host));
        }

        var text = new StringBuilder()
            .Append("CONNECT ").Append(authority).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(authority).Append("\r\n");
        if (username is not null)
        {
            if (username.Contains(':', StringComparison.Ordinal) || username.Any(char.IsControl) || (password ?? "").Any(char.IsControl))
            {
                throw new ArgumentException("proxy username must not contain ':' and credentials no control characters");
            }

            var credentials = Encoding.UTF8.GetBytes($"{username}:{password}");
            text.Append("Proxy-Authorization: Basic ").Append(Convert.ToBase64String(credentials)).Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
    }

    /// <summary>
    /// Reads the proxy's response header. On <see cref="HttpConnectDecode.Established"/> or
    /// <see cref="HttpConnectDecode.Refused"/>, <paramref name="headerLength"/> is the header's length
    /// (bytes after it are tunnel data) and <paramref name="status"/> the status code.
    /// </summary>
    public static HttpConnectDecode ReadResponse(ReadOnlySequence<byte> received, out int status, out int headerLength)
    {
        status = 0;
        headerLength = 0;
        var reader = new SequenceReader<byte>(received);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> header, HeaderEnd, advancePastDelimiter: true))
        {
            return received.Length > MaxResponseHeaderLength || !LooksLikeHttp(received)
                ? HttpConnectDecode.Invalid
                : HttpConnectDecode.NeedMore;
        }

        if (reader.Consumed > MaxResponseHeaderLength)
        {
            return HttpConnectDecode.Invalid;
        }

        // Status line: "HTTP/1." DIGIT SP 3DIGIT [SP reason]
        if (header.Length < 12)
        {
            return HttpConnectDecode.Invalid;
        }

        Span<byte> statusLine = stackalloc byte[13];
        var prefixLength = (int)Math.Min(header.Length, statusLine.Length);
        header.Slice(0, prefixLength).CopyTo(statusLine);
        if (!statusLine.StartsWith("HTTP/1."u8) || !char.IsAsciiDigit((char)statusLine[7]) || statusLine[8] != (byte)' ' ||
            !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int code, out var digits) || digits != 3 ||
            (prefixLength == 13 && statusLine[12] is not ((byte)' ' or (byte)'\r')))
        {
            return HttpConnectDecode.Invalid;
        }

        status = code;
        headerLength = (int)reader.Consumed;
        return code is >= 200 and <= 299 ? HttpConnectDecode.Established : HttpConnectDecode.Refused;
    }

    private static bool LooksLikeHttp(ReadOnlySequence<byte> received)
    {
        Span<byte> prefix = stackalloc byte[7];
        var length = (int)Math.Min(received.Length, prefix.Length);
        received.Slice(0, length).CopyTo(prefix);
        return "HTTP/1."u8[..length].SequenceEqual(prefix[..length]);
    }
}
