namespace Galaxy.Agent.Control;

/// <summary>
/// The answer of <c>GET /v1/explain</c>: how the running agent would route a flow now — the rule (or the default),
/// the action and its target, the egress chosen (null: refused), why, and the text <c>galaxy route explain</c> prints.
/// </summary>
internal sealed record ExplainView(
    string Flow,
    string Rule,
    int? RuleLine,
    string Action,
    string? Target,
    string? Egress,
    string? Domain,
    string? Country,
    string Why,
    string Text);
