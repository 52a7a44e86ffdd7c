using System.Text;
using Galaxy.Agent.Egress.Proxy;

namespace Galaxy.Agent.Config;

/// <summary>
/// A proxy's <c>credentials</c> file: the user name on the first line, the password on the second (the same
/// layout as OpenVPN's <c>auth-user-pass</c> file). Both must fit RFC 1929 (1 to 255 bytes of UTF-8), and the
/// user name carries no ':' (RFC 7617 basic auth splits on the first one).
/// </summary>
internal static class ProxyCredentialsFile
{
    private const int MaxBytes = 255;

    /// <summary>The credentials, or null with <paramref name="problem"/> saying why (never quoting the password).</summary>
    public static ProxyCredentials? Read(string path, out string? problem)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e is FileNotFoundException or DirectoryNotFoundException ? "does not exist" : $"cannot be read ({e.Message})";
            return null;
        }

        return Parse(text, out problem);
    }

    /// <summary>The credentials in <paramref name="text"/>, or null with <paramref name="problem"/> saying why.</summary>
    public static ProxyCredentials? Parse(string text, out string? problem)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        problem = lines.Count != 2
            ? $"must hold 2 lines (user name, then password), found {lines.Count}"
            : Check("line 1: the user name", lines[0]) ?? Check("line 2: the password", lines[1])
                ?? (lines[0].Contains(':', StringComparison.Ordinal) ? "line 1: the user name may not contain ':'" : null);
        return problem is null ? new ProxyCredentials(lines[0], lines[1]) : null;
    }

    private static string? Check(string what, string value)
    {
        var bytes = Encoding.UTF8.GetByteCount(value);
        return bytes == 0 ? $"{what} is empty"
            : bytes > MaxBytes ? $"{what} is {bytes} bytes, more than SOCKS5 allows ({MaxBytes})"
            : value.Any(char.IsControl) ? $"{what} contains a control character"
            : null;
    }
}
