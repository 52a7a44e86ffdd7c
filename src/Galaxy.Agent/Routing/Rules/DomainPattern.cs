namespace Galaxy.Agent.Routing.Rules;

/// <summary>How a <see cref="DomainPattern"/> compares.</summary>
internal enum DomainMatchKind
{
    /// <summary>The whole name, nothing more: <c>example.com</c>.</summary>
    Exact = 1,

    /// <summary>The name and every name below it: <c>.example.com</c> matches <c>example.com</c> and <c>a.b.example.com</c>, not <c>badexample.com</c>.</summary>
    Suffix = 2,

    /// <summary>The text anywhere in the name: <c>keyword:video</c>.</summary>
    Keyword = 3,
}

/// <summary>
/// One domain criterion of a rule. Names compare case-insensitively, a trailing dot ignored, without
/// allocating: the flow's domain comes from the TLS SNI, the HTTP Host or the resolver's memory.
/// </summary>
internal sealed record DomainPattern
{
    private DomainPattern(DomainMatchKind kind, string value)
    {
        Kind = kind;
        Value = value;
    }

    public DomainMatchKind Kind { get; }

    /// <summary>The name or keyword, lower case, no leading or trailing dot.</summary>
    public string Value { get; }

    public static DomainPattern Exact(string name) => new(DomainMatchKind.Exact, Normalize(name, nameof(name)));

    public static DomainPattern Suffix(string name) => new(DomainMatchKind.Suffix, Normalize(name.TrimStart('*').TrimStart('.'), nameof(name)));

    public static DomainPattern Keyword(string keyword) => new(DomainMatchKind.Keyword, Normalize(keyword, nameof(keyword)));

    /// <summary>
    /// Parses the configuration's spelling: <c>.example.com</c> or <c>*.example.com</c> (suffix),
    /// <c>keyword:video</c> (keyword), anything else an exact name.
    /// </summary>
    public static DomainPattern Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (t.StartsWith("keyword:", StringComparison.OrdinalIgnoreCase))
        {
            return Keyword(t["keyword:".Length..]);
        }

        return t.StartsWith('.') || t.StartsWith("*.", StringComparison.Ordinal) ? Suffix(t) : Exact(t);
    }

    /// <summary>Matches any spelling of a name (case, trailing dot).</summary>
    public bool Matches(ReadOnlySpan<char> domain)
    {
        Span<char> buffer = stackalloc char[256];
        return domain.Length <= buffer.Length
            ? MatchesNormalized(Normalize(domain, buffer))
            : MatchesNormalized(domain.ToString().ToLowerInvariant().TrimEnd('.'));
    }

    /// <summary>Matches a name already lower-cased (ASCII) with no trailing dot: ordinal, vectorized comparisons.</summary>
    public bool MatchesNormalized(ReadOnlySpan<char> domain)
    {
        switch (Kind)
        {
            case DomainMatchKind.Exact:
                return domain.SequenceEqual(Value);
            case DomainMatchKind.Suffix:
                return domain.EndsWith(Value, StringComparison.Ordinal)
                    && (domain.Length == Value.Length || domain[domain.Length - Value.Length - 1] == '.');
            default:
                return domain.Contains(Value, StringComparison.Ordinal);
        }
    }

    /// <summary>Lower-cases <paramref name="domain"/> into <paramref name="buffer"/> (at least as long) and drops a trailing dot.</summary>
    public static ReadOnlySpan<char> Normalize(ReadOnlySpan<char> domain, Span<char> buffer)
    {
        if (domain.Length > 0 && domain[^1] == '.')
        {
            domain = domain[..^1];
        }

        var written = domain.ToLowerInvariant(buffer);
        return buffer[..written];
    }

    public override string ToString() => Kind switch
    {
        DomainMatchKind.Exact => Value,
        DomainMatchKind.Suffix => "." + Value,
        _ => "keyword:" + Value,
    };

    private static string Normalize(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        var v = value.Trim().TrimEnd('.').ToLowerInvariant();
        if (v.Length == 0 || v.StartsWith('.'))
        {
            throw new ArgumentException($"'{value}' is not a domain name or keyword", parameter);
        }

        return v;
    }
}
