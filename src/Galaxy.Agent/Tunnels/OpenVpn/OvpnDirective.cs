using System.Collections.Immutable;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>
/// One directive as OpenVPN reads it: the name (a leading <c>--</c> already removed, as OpenVPN does),
/// the arguments after quoting and escapes are resolved, and where it was written. An inline block
/// (<c>&lt;ca&gt;…&lt;/ca&gt;</c>) is a directive named after its tag whose <see cref="Inline"/> holds the
/// block's text; a <c>&lt;connection&gt;</c> block holds its own directives in <see cref="Block"/>.
/// </summary>
internal sealed record OvpnDirective(string Name, ImmutableArray<string> Arguments, OvpnLocation Location)
{
    /// <summary>The text of an inline block, lines joined with <c>\n</c> and ending with one; null for a plain line.</summary>
    public string? Inline { get; init; }

    /// <summary>The directives inside a <c>&lt;connection&gt;</c> block; empty otherwise.</summary>
    public ImmutableArray<OvpnDirective> Block { get; init; } = [];

    /// <summary>True for a <c>&lt;connection&gt;</c> block, whose directives are in <see cref="Block"/>.</summary>
    public bool IsConnectionBlock { get; init; }
}
