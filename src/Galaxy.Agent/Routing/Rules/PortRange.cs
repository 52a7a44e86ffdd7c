using System.Globalization;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>An inclusive range of destination ports (a single port is a range of one).</summary>
internal readonly record struct PortRange
{
    public PortRange(int first, int last)
    {
        if (first is < 0 or > 65535 || last is < 0 or > 65535 || first > last)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"a port range must lie within 0-65535 with first <= last, got {first}-{last}");
        }

        First = first;
        Last = last;
    }

    public int First { get; }

    public int Last { get; }

    public bool Contains(int port) => port >= First && port <= Last;

    /// <summary>Parses <c>443</c>, <c>8000-8100</c> or a comma-separated list of both.</summary>
    public static PortRange[] ParseList(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            throw new FormatException($"'{text}' names no port");
        }

        var ranges = new PortRange[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            ranges[i] = Parse(parts[i]);
        }

        return ranges;
    }

    /// <summary>Parses <c>443</c> or <c>8000-8100</c>.</summary>
    public static PortRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            var port = ParsePort(text, text);
            return new PortRange(port, port);
        }

        var first = ParsePort(text[..dash], text);
        var last = ParsePort(text[(dash + 1)..], text);
        if (first > last)
        {
            throw new FormatException($"port range '{text}' runs backwards");
        }

        return new PortRange(first, last);
    }

    public override string ToString() => First == Last
        ? First.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");

    private static int ParsePort(string part, string whole)
    {
        if (!int.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new FormatException($"'{whole}' is not a port (0-65535) or a range of ports");
        }

        return port;
    }
}
