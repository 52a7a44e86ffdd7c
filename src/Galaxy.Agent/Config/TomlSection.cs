using System.Collections.Immutable;
using System.Globalization;
using Tomlyn.Syntax;

namespace Galaxy.Agent.Config;

/// <summary>
/// One TOML table of the file (<c>[router]</c>, one <c>[[egress]]</c> entry, or the root) as keys with their
/// lines, read off Tomlyn's syntax tree so every error can name its line. Reading a key marks it used;
/// <see cref="ReportUnknownKeys"/> then names every key nobody asked for (a typo is an error, not a no-op).
/// </summary>
internal sealed class TomlSection
{
    private readonly Dictionary<string, KeyValueSyntax> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly List<ConfigError> _errors;

    public TomlSection(string file, string name, int line, List<ConfigError> errors)
    {
        File = file;
        Name = name;
        Line = line;
        _errors = errors;
    }

    public string File { get; }

    /// <summary>The table's name as written (<c>router</c>, <c>egress</c>); empty for the root.</summary>
    public string Name { get; }

    /// <summary>1-based line of the table header (0 for the root).</summary>
    public int Line { get; }

    public void Add(KeyValueSyntax entry)
    {
        if (entry.Key is not { } key || key.DotKeys.ChildrenCount > 0 || KeyText(key.Key) is not { } name)
        {
            Error(LineOf(entry), "dotted or malformed keys are not supported; write one key per line inside its [table]");
            return;
        }

        if (!_entries.TryAdd(name, entry))
        {
            Error(LineOf(entry), $"'{name}' is set twice in {Describe()} (first on line {LineOf(_entries[name])})");
        }
    }

    public void Error(int line, string message) => _errors.Add(new ConfigError(File, line, message));

    public string? String(string key, string? fallback = null)
    {
        if (!TryGet(key, out var entry))
        {
            return fallback;
        }

        if (entry.Value is StringValueSyntax { Value: { } text })
        {
            return text;
        }

        Error(LineOf(entry), $"'{key}' must be a string");
        return fallback;
    }

    public string? RequiredString(string key)
    {
        var value = String(key);
        if (value is null && !_entries.ContainsKey(key))
        {
            Error(Line, $"{Describe()} needs '{key}'");
        }

        return value;
    }

    public long? Integer(string key, long min, long max, long? fallback = null)
    {
        if (!TryGet(key, out var entry))
        {
            return fallback;
        }

        if (entry.Value is IntegerValueSyntax integer)
        {
            if (integer.Value >= min && integer.Value <= max)
            {
                return integer.Value;
            }

            Error(LineOf(entry), string.Create(CultureInfo.InvariantCulture, $"'{key}' must be between {min} and {max}, not {integer.Value}"));
            return fallback;
        }

        Error(LineOf(entry), $"'{key}' must be an integer");
        return fallback;
    }

    public bool Boolean(string key, bool fallback)
    {
        if (!TryGet(key, out var entry))
        {
            return fallback;
        }

        if (entry.Value is BooleanValueSyntax boolean)
        {
            return boolean.Value;
        }

        Error(LineOf(entry), $"'{key}' must be true or false");
        return fallback;
    }

    public ImmutableArray<(string Value, int Line)> StringList(string key)
    {
        if (!TryGet(key, out var entry))
        {
            return [];
        }

        switch (entry.Value)
        {
            case StringValueSyntax { Value: { } single }:
                return [(single, LineOf(entry))];
            case ArraySyntax array:
                var items = ImmutableArray.CreateBuilder<(string, int)>();
                foreach (var item in array.Items)
                {
                    if (item.Value is StringValueSyntax { Value: { } text })
                    {
                        items.Add((text, item.Span.Start.Line + 1));
                    }
                    else
                    {
                        Error(item.Span.Start.Line + 1, $"every item of '{key}' must be a string");
                    }
                }

                return items.ToImmutable();
            default:
                Error(LineOf(entry), $"'{key}' must be a string or a list of strings");
                return [];
        }
    }

    /// <summary>A string or integer, or a list of them, each as text with its line (ports: <c>[443, "8000-8100"]</c>).</summary>
    public ImmutableArray<(string Value, int Line)> ScalarList(string key)
    {
        if (!TryGet(key, out var entry))
        {
            return [];
        }

        IEnumerable<ValueSyntax?> values = entry.Value is ArraySyntax array ? array.Items.Select(i => i.Value) : [entry.Value];
        var items = ImmutableArray.CreateBuilder<(string, int)>();
        foreach (var value in values)
        {
            var line = value is null ? LineOf(entry) : value.Span.Start.Line + 1;
            switch (value)
            {
                case StringValueSyntax { Value: { } text }:
                    items.Add((text, line));
                    break;
                case IntegerValueSyntax integer:
                    items.Add((integer.Value.ToString(CultureInfo.InvariantCulture), line));
                    break;
                default:
                    Error(line, $"every item of '{key}' must be a string or an integer");
                    break;
            }
        }

        return items.ToImmutable();
    }

    /// <summary>A list of numbers (integers or floats); null when the key is absent or wrong (the error is reported).</summary>
    public ImmutableArray<double>? NumberList(string key)
    {
        if (!TryGet(key, out var entry))
        {
            return null;
        }

        if (entry.Value is not ArraySyntax array)
        {
            Error(LineOf(entry), $"'{key}' must be a list of numbers");
            return null;
        }

        var numbers = ImmutableArray.CreateBuilder<double>();
        foreach (var item in array.Items)
        {
            switch (item.Value)
            {
                case FloatValueSyntax number:
                    numbers.Add(number.Value);
                    break;
                case IntegerValueSyntax integer:
                    numbers.Add(integer.Value);
                    break;
                default:
                    Error(item.Span.Start.Line + 1, $"every item of '{key}' must be a number");
                    return null;
            }
        }

        return numbers.ToImmutable();
    }

    /// <summary>The line where <paramref name="key"/> is set, or the table's line when it is not.</summary>
    public int LineOfKey(string key) => _entries.TryGetValue(key, out var entry) ? LineOf(entry) : Line;

    public bool Has(string key) => _entries.ContainsKey(key);

    public void ReportUnknownKeys()
    {
        foreach (var (name, entry) in _entries)
        {
            if (!_used.Contains(name))
            {
                Error(LineOf(entry), $"unknown key '{name}' in {Describe()}");
            }
        }
    }

    public string Describe() => Name.Length == 0 ? "the top level" : $"[{Name}]";

    private bool TryGet(string key, out KeyValueSyntax entry)
    {
        _used.Add(key);
        return _entries.TryGetValue(key, out entry!);
    }

    private static int LineOf(SyntaxNode node) => node.Span.Start.Line + 1;

    internal static string? KeyText(BareKeyOrStringValueSyntax? key) => key switch
    {
        BareKeySyntax { Key.Text: { } text } => text,
        StringValueSyntax { Value: { } text } => text,
        _ => null,
    };
}
