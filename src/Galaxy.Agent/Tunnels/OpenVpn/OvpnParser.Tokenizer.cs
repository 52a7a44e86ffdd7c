using System.Text;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>One line into words, as OpenVPN's <c>parse_line</c> does it.</summary>
internal static partial class OvpnParser
{
    private enum State
    {
        Initial,
        Unquoted,
        DoubleQuoted,
        SingleQuoted,
    }

    /// <summary>
    /// OpenVPN's <c>parse_line</c>, character for character, over the line and a final NUL. Returns null
    /// and the words, or the reason OpenVPN would refuse the line. Unlike OpenVPN it also refuses a
    /// 17th word (OpenVPN drops it silently).
    /// </summary>
    internal static string? Tokenize(string line, List<string> words)
    {
        var state = State.Initial;
        var backslash = false;
        var word = new StringBuilder();
        var index = 0;
        for (; index <= line.Length; index++)
        {
            var c = index < line.Length ? line[index] : '\0';
            var output = '\0';
            var done = false;

            if (!backslash && c == '\\' && state != State.SingleQuoted)
            {
                backslash = true;
            }
            else
            {
                switch (state)
                {
                    case State.Initial:
                        if (!IsSpace(c))
                        {
                            if (c is ';' or '#')
                            {
                                return Finish(state);
                            }

                            if (!backslash && c == '"')
                            {
                                state = State.DoubleQuoted;
                            }
                            else if (!backslash && c == '\'')
                            {
                                state = State.SingleQuoted;
                            }
                            else
                            {
                                output = c;
                                state = State.Unquoted;
                            }
                        }

                        break;
                    case State.Unquoted:
                        if (!backslash && IsSpace(c))
                        {
                            done = true;
                        }
                        else
                        {
                            output = c;
                        }

                        break;
                    case State.DoubleQuoted:
                        if (!backslash && c == '"')
                        {
                            done = true;
                        }
                        else
                        {
                            output = c;
                        }

                        break;
                    case State.SingleQuoted:
                        if (c == '\'')
                        {
                            done = true;
                        }
                        else
                        {
                            output = c;
                        }

                        break;
                }

                if (done)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    state = State.Initial;
                }

                if (backslash && output != '\0' && !(output is '\\' or '"' || IsSpace(output)))
                {
                    return $"bad backslash escape '\\{output}' at column {index} (OpenVPN accepts only \\\\, \\\" and a backslash before a space)";
                }

                backslash = false;
            }

            if (output != '\0')
            {
                if (word.Length >= MaxWordLength)
                {
                    return $"word longer than {MaxWordLength} characters";
                }

                word.Append(output);
            }

            if (words.Count >= MaxWords)
            {
                var rest = line[(index + 1)..];
                var trimmed = rest.TrimStart(' ', '\t', '\n', '\v', '\f', '\r');
                if (trimmed.Length > 0 && trimmed[0] is not ('#' or ';'))
                {
                    return $"more than {MaxWords} words on one line (OpenVPN would silently drop the rest)";
                }

                return Finish(state);
            }
        }

        return Finish(state);

        static string? Finish(State state) => state switch
        {
            State.DoubleQuoted => "no closing quotation (\")",
            State.SingleQuoted => "no closing single quotation (')",
            State.Initial => null,
            _ => "line ends inside a word (residual parse state)",
        };
    }
}
