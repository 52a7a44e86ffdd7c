namespace Galaxy.Agent.Relay.Sniffing;

/// <summary>
/// Turns the name bytes of an SNI or a Host header into the form routing rules compare: ASCII letters, digits,
/// '-', '_' and '.', lower case, without the trailing dot; 1–253 characters, labels of 1–63. IP literals
/// (all-numeric labels) and anything else are refused.
/// </summary>
internal static class HostName
{
    public const int MaxLength = 253;

    /// <summary>The normalised name, or null when <paramref name="raw"/> is not a host name.</summary>
    public static string? Normalize(ReadOnlySpan<byte> raw)
    {
        if (!raw.IsEmpty && raw[^1] == (byte)'.')
        {
            raw = raw[..^1];
        }

        if (raw.IsEmpty || raw.Length > MaxLength)
        {
            return null;
        }

        var labelLength = 0;
        var numericOnly = true;
        foreach (var b in raw)
        {
            if (b == (byte)'.')
            {
                if (labelLength == 0)
                {
                    return null; // empty label
                }

                labelLength = 0;
                continue;
            }

            if (++labelLength > 63 || !IsNameByte(b))
            {
                return null;
            }

            numericOnly &= b is >= (byte)'0' and <= (byte)'9';
        }

        if (labelLength == 0 || numericOnly)
        {
            return null; // "a." was stripped once already, so this is "a.." or a dotted-decimal literal
        }

        return string.Create(raw.Length, raw, static (chars, bytes) =>
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                var b = bytes[i];
                chars[i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b + 32 : b);
            }
        });
    }

    private static bool IsNameByte(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_';
}
