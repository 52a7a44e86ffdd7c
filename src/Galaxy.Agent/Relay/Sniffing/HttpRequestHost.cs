namespace Galaxy.Agent.Relay.Sniffing;

/// <summary>
/// Reads the Host header of the HTTP/1.x request at the start of a connection: pure, bounded, never throwing.
/// The answer comes as soon as the Host line is complete (the rest of the head need not be there).
/// </summary>
/// <remarks>
/// Layout (RFC 9112 §2–§5, RFC 9110 §7.2):
/// <code>
/// request-line = method SP request-target SP "HTTP/1." DIGIT CRLF     (method = 1*tchar, here 1–20 upper-case letters or '-')
/// field-line   = field-name ":" OWS field-value OWS CRLF               (until an empty line)
/// Host         = uri-host [ ":" port ]                                  (uri-host may be an IP-literal "[…]")
/// </code>
/// A bare LF ends a line too (RFC 9112 §2.2 lets a recipient accept it).
/// </remarks>
internal static class HttpRequestHost
{
    private const int MaxMethodLength = 20;

    /// <summary>The normalised host name of the request's Host header, without the port.</summary>
    public static SniffOutcome TryRead(ReadOnlySpan<byte> data, out string? host)
    {
        host = null;
        var method = ReadMethod(data);
        if (method <= 0)
        {
            return method == 0 ? SniffOutcome.NeedMore : SniffOutcome.Unrecognized;
        }

        if (!TryReadLine(data, 0, out var requestLine, out var next))
        {
            return SniffOutcome.NeedMore;
        }

        if (!IsHttp1RequestLine(requestLine))
        {
            return SniffOutcome.Unrecognized; // HTTP/2's preface, HTTP/0.9, or not HTTP at all
        }

        while (TryReadLine(data, next, out var line, out next))
        {
            if (line.IsEmpty)
            {
                return SniffOutcome.NoName; // end of the head, no Host
            }

            var colon = line.IndexOf((byte)':');
            if (colon == 4 && AsciiEqualsIgnoreCase(line[..4], "host"u8))
            {
                return ReadHostValue(Trim(line[(colon + 1)..]), out host);
            }
        }

        return SniffOutcome.NeedMore;
    }

    /// <summary>
    /// The length of the method token and its space (&gt; 0); 0 when the bytes end inside a plausible token;
    /// -1 when this is not a request line.
    /// </summary>
    private static int ReadMethod(ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length && i <= MaxMethodLength; i++)
        {
            var b = data[i];
            if (b == (byte)' ')
            {
                return i == 0 ? -1 : i + 1;
            }

            if (b is not (>= (byte)'A' and <= (byte)'Z' or (byte)'-'))
            {
                return -1;
            }
        }

        return data.Length <= MaxMethodLength ? 0 : -1;
    }

    private static bool IsHttp1RequestLine(ReadOnlySpan<byte> line)
    {
        // "… HTTP/1.x": the version is the last 8 bytes, after a space; no control bytes before it.
        if (line.Length < 10 || line[^9] != (byte)' ' || !line[^8..^1].SequenceEqual("HTTP/1."u8) || line[^1] is < (byte)'0' or > (byte)'9')
        {
            return false;
        }

        foreach (var b in line)
        {
            if (b < 0x20 || b == 0x7f)
            {
                return false;
            }
        }

        return true;
    }

    private static SniffOutcome ReadHostValue(ReadOnlySpan<byte> value, out string? host)
    {
        host = null;
        if (!value.IsEmpty && value[0] == (byte)'[')
        {
            return SniffOutcome.NoName; // an IPv6 literal: there is no name to route by
        }

        var colon = value.IndexOf((byte)':');
        if (colon >= 0)
        {
            var port = value[(colon + 1)..];
            if (port.Length > 5 || port.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            {
                return SniffOutcome.NoName;
            }

            value = value[..colon];
        }

        host = HostName.Normalize(value);
        return host is null ? SniffOutcome.NoName : SniffOutcome.Found;
    }

    /// <summary>The line starting at <paramref name="start"/>, without its CRLF or LF; false when it is not complete.</summary>
    private static bool TryReadLine(ReadOnlySpan<byte> data, int start, out ReadOnlySpan<byte> line, out int next)
    {
        line = default;
        next = start;
        var lf = data[start..].IndexOf((byte)'\n');
        if (lf < 0)
        {
            return false;
        }

        line = data.Slice(start, lf);
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        next = start + lf + 1;
        return true;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> value) => value.Trim(" \t"u8);

    private static bool AsciiEqualsIgnoreCase(ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> lowerCase)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if ((bytes[i] | 0x20) != lowerCase[i])
            {
                return false;
            }
        }

        return true;
    }
}
