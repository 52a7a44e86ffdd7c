using System.Globalization;
using System.Text;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>
/// The outcome of <see cref="RouteTable.Decide"/>: which rule matched (or none: the default group) and
/// what to do. A value type that holds references only, so deciding allocates nothing; the texts are
/// built when asked for.
/// </summary>
/// <param name="Query">The flow that was decided.</param>
/// <param name="RuleIndex">Position of the matching rule in the table, or -1 for the default group.</param>
/// <param name="Rule">The matching rule, or null for the default group.</param>
/// <param name="Action">What to do.</param>
/// <param name="Target">The egress or group name; null for reject and drop.</param>
/// <param name="Country">The destination's GeoIP country when it was looked up, else null.</param>
internal readonly record struct RouteDecision(
    FlowQuery Query,
    int RuleIndex,
    RouteRule? Rule,
    RouteActionKind Action,
    string? Target,
    string? Country)
{
    public bool IsDefault => Rule is null;

    public string RuleName => Rule?.Name ?? "default";

    /// <summary>One line: why this flow goes where it goes.</summary>
    public string Why => Rule is null
        ? $"no rule matched; the default group '{Target}' takes the flow"
        : string.Create(CultureInfo.InvariantCulture, $"rule #{RuleIndex + 1} '{Rule.Name}'{LineText(Rule)} matched ({Rule.Describe()}): {Rule.Action}");

    /// <summary>The text of <c>galaxy route explain</c>: the flow, the rule, the action and why.</summary>
    public string Explain()
    {
        var q = Query;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"flow:    {(q.Protocol == RouteProtocol.Tcp ? "tcp" : "udp")} {q.Source} -> {Endpoint(q)}");
        if (q.LanInterface is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" on {q.LanInterface}");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"domain:  {q.Domain ?? "(unknown)"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"country: {Country ?? "(not looked up or unknown)"}");
        text.AppendLine(CultureInfo.InvariantCulture, $"rule:    {(Rule is null ? "(none matched)" : $"#{RuleIndex + 1} {Rule.Name}{LineText(Rule)}")}");
        text.AppendLine(CultureInfo.InvariantCulture, $"action:  {ActionText()}");
        text.Append(CultureInfo.InvariantCulture, $"why:     {Why}");
        return text.ToString();
    }

    public override string ToString() => $"{RuleName}: {ActionText()}";

    private string ActionText() => Action switch
    {
        RouteActionKind.Egress => $"egress {Target}",
        RouteActionKind.Group => $"group {Target}",
        RouteActionKind.Reject => "reject",
        _ => "drop",
    };

    private static string LineText(RouteRule rule) =>
        rule.Line > 0 ? string.Create(CultureInfo.InvariantCulture, $" (line {rule.Line})") : string.Empty;

    private static string Endpoint(FlowQuery q) =>
        q.Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"[{q.Destination}]:{q.Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{q.Destination}:{q.Port}");
}
