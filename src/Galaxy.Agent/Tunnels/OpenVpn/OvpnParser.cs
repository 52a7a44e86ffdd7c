using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>What the parser read: the directives in file order, and every structural error.</summary>
internal sealed record OvpnParseResult(ImmutableArray<OvpnDirective> Directives, ImmutableArray<OvpnDiagnostic> Errors);

/// <summary>
/// Reads an <c>.ovpn</c> file exactly as OpenVPN 2.6 does (options.c: <c>read_config_file</c>,
/// <c>parse_line</c>, <c>check_inline_file</c>, <c>read_inline_file</c>), so that the directives Galaxy
/// judges are the directives OpenVPN would run. Where OpenVPN would silently do something surprising
/// (split an over-long line, drop words past the 16th, keep text after a closing tag), this parser
/// reports an error instead: the profile is then refused, never reinterpreted.
/// <list type="bullet">
/// <item>Lines end at <c>\n</c> only. A UTF-8 byte-order mark on line 1 is skipped.</item>
/// <item>Whitespace is C's <c>isspace</c> in the C locale: space, <c>\t \n \v \f \r</c>.</item>
/// <item>A word starting with <c>#</c> or <c>;</c> begins a comment, also after a backslash;
///   inside a word (<c>foo#bar</c>) they are ordinary characters.</item>
/// <item>Double quotes group; inside them and outside, a backslash escapes only <c>\</c>, <c>"</c>
///   and whitespace — any other escape makes OpenVPN refuse the line. Single quotes group with no
///   escapes at all. A closing quote ends the word: <c>"pe"rsist-key</c> is two words.</item>
/// <item>A line that is exactly one word <c>&lt;tag&gt;</c> opens an inline block that ends at the first
///   line beginning (after whitespace) with <c>&lt;/tag&gt;</c>; <c>&lt;connection&gt;</c> blocks are
///   parsed again as directives.</item>
/// <item>A leading <c>--</c> on the first word is dropped (<c>bypass_doubledash</c>).</item>
/// </list>
/// </summary>
internal static partial class OvpnParser
{
    /// <summary>The largest profile (or referenced file) Galaxy reads.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>
    /// The longest line OpenVPN reads whole: its buffer is 256 bytes and it refuses a line that fills
    /// 255 of them, newline included; so 253 bytes of text plus the newline. Longer lines are an error
    /// here for the same reason, and also inside inline blocks, where OpenVPN would silently split them
    /// (a split could make a closing tag appear in the middle of a line).
    /// </summary>
    public const int MaxLineBytes = 253;

    /// <summary>OpenVPN's <c>MAX_PARMS</c>: words after the 16th are silently dropped by OpenVPN.</summary>
    public const int MaxWords = 16;

    /// <summary>OpenVPN's <c>OPTION_PARM_SIZE</c>.</summary>
    public const int MaxWordLength = 256;

    /// <summary>After this many errors the rest are summarised in one line (binary input would make thousands).</summary>
    public const int MaxErrors = 500;

    public const string ConnectionTag = "connection";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static OvpnParseResult Parse(string fileName, ReadOnlySpan<byte> content)
    {
        var errors = new List<OvpnDiagnostic>();
        if (content.Length > MaxFileBytes)
        {
            errors.Add(OvpnDiagnostic.Error(new OvpnLocation(fileName, 1),
                $"file is {content.Length} bytes; profiles larger than {MaxFileBytes} bytes are refused"));
            return new OvpnParseResult([], [.. errors]);
        }

        var lines = SplitLines(fileName, content, errors);
        var directives = new List<OvpnDirective>();
        ParseRange(fileName, lines, 0, lines.Length, inConnection: false, directives, errors);
        return new OvpnParseResult([.. directives], Cap(errors, fileName));
    }

    /// <summary>
    /// Splits the file into lines, checking each: length, UTF-8, and no control characters other than
    /// tab (and carriage return right before the newline). A bad line becomes null: it is reported
    /// once and otherwise treated as blank.
    /// </summary>
    private static string?[] SplitLines(string fileName, ReadOnlySpan<byte> content, List<OvpnDiagnostic> errors)
    {
        var lines = new List<string?>();
        var number = 0;
        while (!content.IsEmpty)
        {
            number++;
            var newline = content.IndexOf((byte)'\n');
            var line = newline < 0 ? content : content[..newline];
            var hasNewline = newline >= 0;
            content = hasNewline ? content[(newline + 1)..] : [];

            if (number == 1 && line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                line = line[3..];
            }

            var location = new OvpnLocation(fileName, number);
            if (line.Length > MaxLineBytes)
            {
                errors.Add(OvpnDiagnostic.Error(location,
                    $"line is {line.Length} bytes long; OpenVPN reads at most {MaxLineBytes} bytes a line"));
                lines.Add(null);
                continue;
            }

            var bad = FindControlCharacter(line);
            if (bad >= 0)
            {
                errors.Add(OvpnDiagnostic.Error(location, line[bad] == (byte)'\r'
                    ? "carriage return inside a line (only CRLF line ends are accepted)"
                    : $"control character 0x{line[bad]:X2} at column {bad + 1} (binary content?)"));
                lines.Add(null);
                continue;
            }

            string text;
            try
            {
                text = StrictUtf8.GetString(line);
            }
            catch (DecoderFallbackException)
            {
                errors.Add(OvpnDiagnostic.Error(location, "not UTF-8 text (binary content?)"));
                lines.Add(null);
                continue;
            }

            // Keep the newline: OpenVPN tokenizes the line with it (a trailing backslash escapes it).
            lines.Add(hasNewline ? text + "\n" : text);
        }

        return [.. lines];
    }

    private static int FindControlCharacter(ReadOnlySpan<byte> line)
    {
        for (var i = 0; i < line.Length; i++)
        {
            var b = line[i];
            if (b == (byte)'\r' && i == line.Length - 1)
            {
                continue;
            }

            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                return i;
            }
        }

        return -1;
    }

    private static void ParseRange(
        string fileName, string?[] lines, int start, int end, bool inConnection,
        List<OvpnDirective> directives, List<OvpnDiagnostic> errors)
    {
        for (var i = start; i < end; i++)
        {
            if (lines[i] is not { } line)
            {
                continue;
            }

            var location = new OvpnLocation(fileName, i + 1);
            var words = new List<string>();
            if (Tokenize(line, words) is { } tokenError)
            {
                errors.Add(OvpnDiagnostic.Error(location, tokenError));
                continue;
            }

            if (words.Count == 0)
            {
                continue;
            }

            var name = BypassDoubleDash(words[0]);
            if (words.Count == 1 && name.Length >= 2 && name[0] == '<' && name[^1] == '>')
            {
                var tag = name[1..^1];
                if (tag.StartsWith('/'))
                {
                    errors.Add(OvpnDiagnostic.Error(location, $"closing tag {name} without a matching <{tag[1..]}>"));
                    continue;
                }

                if (inConnection && tag == ConnectionTag)
                {
                    // OpenVPN reads the outer block up to the first </connection>; the inner one then
                    // has no end tag and OpenVPN stops. Refuse it by name.
                    errors.Add(OvpnDiagnostic.Error(location, "<connection> blocks cannot be nested"));
                    return;
                }

                var closeTag = $"</{tag}>";
                var close = FindCloseTag(lines, i + 1, end, closeTag);
                if (close < 0)
                {
                    errors.Add(OvpnDiagnostic.Error(location, $"<{tag}> block has no {closeTag} before the end of the {(inConnection ? "<connection> block" : "file")}"));
                    return;
                }

                var after = TrimOpenVpnSpace(lines[close]!)[closeTag.Length..];
                if (!string.IsNullOrWhiteSpace(after))
                {
                    // OpenVPN ignores the rest of that line; a reader of the file would not expect it to.
                    errors.Add(OvpnDiagnostic.Error(new OvpnLocation(fileName, close + 1), $"text after {closeTag} (OpenVPN would ignore it)"));
                }

                if (tag == ConnectionTag)
                {
                    var inner = new List<OvpnDirective>();
                    ParseRange(fileName, lines, i + 1, close, inConnection: true, inner, errors);
                    directives.Add(new OvpnDirective(tag, [], location) { Block = [.. inner], IsConnectionBlock = true });
                }
                else
                {
                    var text = new StringBuilder();
                    for (var j = i + 1; j < close; j++)
                    {
                        text.Append((lines[j] ?? string.Empty).TrimEnd('\n').TrimEnd('\r')).Append('\n');
                    }

                    directives.Add(new OvpnDirective(tag, [], location) { Inline = text.ToString() });
                }

                i = close;
                continue;
            }

            directives.Add(new OvpnDirective(name, [.. words.Skip(1)], location));
        }
    }

    private static int FindCloseTag(string?[] lines, int from, int end, string closeTag)
    {
        for (var j = from; j < end; j++)
        {
            if (lines[j] is { } candidate && TrimOpenVpnSpace(candidate).StartsWith(closeTag, StringComparison.Ordinal))
            {
                return j;
            }
        }

        return -1;
    }

    private static string TrimOpenVpnSpace(string text) => text.TrimStart(' ', '\t', '\n', '\v', '\f', '\r');

    /// <summary>OpenVPN's <c>bypass_doubledash</c>: <c>--name</c> is <c>name</c> when at least one character follows.</summary>
    private static string BypassDoubleDash(string word) =>
        word.Length >= 3 && word.StartsWith("--", StringComparison.Ordinal) ? word[2..] : word;

    /// <summary>C <c>isspace</c> in the C locale, plus the terminating NUL, as <c>space()</c> in options.c.</summary>
    internal static bool IsSpace(char c) => c is '\0' or ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static ImmutableArray<OvpnDiagnostic> Cap(List<OvpnDiagnostic> errors, string fileName)
    {
        if (errors.Count <= MaxErrors)
        {
            return [.. errors];
        }

        var kept = errors.Take(MaxErrors).ToList();
        kept.Add(OvpnDiagnostic.Error(errors[MaxErrors].Location,
            string.Create(CultureInfo.InvariantCulture, $"{errors.Count - MaxErrors} more errors in {fileName} not shown")));
        return [.. kept];
    }
}
