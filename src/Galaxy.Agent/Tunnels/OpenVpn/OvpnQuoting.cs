using System.Text;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>
/// Writes directives back in OpenVPN's syntax so that OpenVPN reads exactly the same words: a word of
/// plain characters is written bare; anything else is double-quoted with <c>\</c> and <c>"</c> escaped
/// (the only escapes <c>parse_line</c> has). A word holding a control character (a newline above all)
/// cannot be written safely at all: <see cref="CanWrite"/> says so and the importer refuses it.
/// </summary>
internal static class OvpnQuoting
{
    /// <summary>True when the word has no control character, so quoting keeps it on one line.</summary>
    public static bool CanWrite(string word)
    {
        foreach (var c in word)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return false;
            }
        }

        return true;
    }

    public static string Quote(string word)
    {
        if (!CanWrite(word))
        {
            throw new ArgumentException("a word with a control character cannot be written to an OpenVPN configuration", nameof(word));
        }

        if (word.Length > 0 && word.All(IsPlain))
        {
            return word;
        }

        var quoted = new StringBuilder(word.Length + 2).Append('"');
        foreach (var c in word)
        {
            if (c is '\\' or '"')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.Append('"').ToString();
    }

    /// <summary>One configuration line, without the newline.</summary>
    public static string Line(string name, IEnumerable<string> arguments)
    {
        var line = new StringBuilder(Quote(name));
        foreach (var argument in arguments)
        {
            line.Append(' ').Append(Quote(argument));
        }

        return line.ToString();
    }

    /// <summary>The byte length OpenVPN will see for a line (it limits lines to <see cref="OvpnParser.MaxLineBytes"/>).</summary>
    public static int ByteLength(string line) => Encoding.UTF8.GetByteCount(line);

    private static bool IsPlain(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-' or ':' or '/' or '+' or '=' or '@' or ',' or '%';
}
