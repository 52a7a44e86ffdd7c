using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Galaxy.Agent.Config;

/// <summary>
/// A TOML file split into its known tables (<c>[name]</c>) and lists of tables (<c>[[name]]</c>), each a
/// <see cref="TomlSection"/> that reports into one shared error list — the walk both <c>galaxy.toml</c> and the
/// portal's settings file need. Syntax errors stop at once (with their lines); everything else is collected so
/// the caller can report every error together.
/// </summary>
internal sealed class TomlFile
{
    private readonly Dictionary<string, TomlSection> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TomlSection>> _lists = new(StringComparer.Ordinal);

    private TomlFile(string path)
    {
        Path = path;
        BaseDirectory = System.IO.Path.GetDirectoryName(path) ?? "/";
    }

    public string Path { get; }

    /// <summary>The file's folder: relative paths inside the file are resolved against it.</summary>
    public string BaseDirectory { get; }

    /// <summary>Every error found so far; sections add theirs here.</summary>
    public List<ConfigError> Errors { get; } = [];

    /// <summary>The file's text; an unreadable file is a <see cref="ConfigException"/> naming it.</summary>
    public static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 0, $"cannot read the file: {e.Message}")]);
        }
    }

    /// <summary>
    /// Parses <paramref name="text"/>: top-level keys are refused as unknown, each table must be one of
    /// <paramref name="tables"/> (once) or <paramref name="lists"/> (written <c>[[name]]</c>).
    /// </summary>
    public static TomlFile Parse(string text, string path, IReadOnlyCollection<string> tables, IReadOnlyCollection<string> lists)
    {
        var file = new TomlFile(path);
        var errors = file.Errors;
        var document = SyntaxParser.Parse(text, path, false);
        foreach (var diagnostic in document.Diagnostics)
        {
            if (diagnostic.Kind == DiagnosticMessageKind.Error)
            {
                errors.Add(new ConfigError(path, diagnostic.Span.Start.Line + 1, diagnostic.Message));
            }
        }

        if (errors.Count > 0)
        {
            throw new ConfigException([.. errors]);
        }

        var root = new TomlSection(path, "", 0, errors);
        foreach (var entry in document.KeyValues)
        {
            root.Add(entry);
        }

        root.ReportUnknownKeys();
        foreach (var list in lists)
        {
            file._lists[list] = [];
        }

        foreach (var table in document.Tables)
        {
            var line = table.Span.Start.Line + 1;
            var name = table.Name is { DotKeys.ChildrenCount: 0 } key ? TomlSection.KeyText(key.Key) : null;
            var section = new TomlSection(path, name ?? "?", line, errors);
            foreach (var entry in table.Items)
            {
                section.Add(entry);
            }

            if (name is not null && file._lists.TryGetValue(name, out var entries))
            {
                if (table is TableArraySyntax)
                {
                    entries.Add(section);
                }
                else
                {
                    errors.Add(new ConfigError(path, line, $"{name} entries are a list: write [[{name}]], once per {name}"));
                }
            }
            else if (name is not null && table is TableSyntax && tables.Contains(name))
            {
                if (!file._tables.TryAdd(name, section))
                {
                    errors.Add(new ConfigError(path, line, $"[{name}] appears twice (first on line {file._tables[name].Line})"));
                }
            }
            else
            {
                var known = tables.Select(t => $"[{t}]").Concat(lists.Select(l => $"[[{l}]]"));
                errors.Add(new ConfigError(path, line, $"unknown table '{table.Name}' (known: {string.Join(", ", known)})"));
            }
        }

        return file;
    }

    /// <summary>The table <c>[name]</c>, or an empty one (line 0) when the file has none: its defaults apply.</summary>
    public TomlSection Table(string name) =>
        _tables.TryGetValue(name, out var section) ? section : new TomlSection(Path, name, 0, Errors);

    /// <summary>The entries of <c>[[name]]</c>, in file order.</summary>
    public List<TomlSection> List(string name) => _lists[name];

    /// <summary>Throws every error collected, ordered by file and line; returns when there is none.</summary>
    public void ThrowIfErrors()
    {
        if (Errors.Count > 0)
        {
            throw new ConfigException([.. Errors.OrderBy(e => e.File, StringComparer.Ordinal).ThenBy(e => e.Line)]);
        }
    }
}
