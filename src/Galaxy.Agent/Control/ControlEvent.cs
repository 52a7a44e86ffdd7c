using System.Text.Json;
using System.Text.Json.Serialization;

namespace Galaxy.Agent.Control;

/// <summary>
/// One line of the event stream (<c>GET /v1/events</c>, NDJSON). <see cref="Event"/> says which; the other fields
/// are present only where they apply:
/// <code>
/// {"event":"egress_up","time":"…","egress":"vpn","device":"gxtun0"}
/// {"event":"egress_down","time":"…","egress":"vpn","reason":"reconnecting: connection-reset"}
/// {"event":"kill_switch","time":"…","state":"lockdown","ruleset_verified":true}
/// {"event":"lost","time":"…","count":12}            this subscriber read too slowly and missed 12 events
/// </code>
/// </summary>
internal sealed record ControlEvent(string Event, DateTimeOffset Time)
{
    public const string EgressUpEvent = "egress_up";
    public const string EgressDownEvent = "egress_down";
    public const string KillSwitchEvent = "kill_switch";
    public const string LostEvent = "lost";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Egress { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Device { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? State { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? RulesetVerified { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Count { get; init; }

    public static ControlEvent EgressUp(string egress, string? device, DateTimeOffset time) =>
        new(EgressUpEvent, time) { Egress = egress, Device = device };

    public static ControlEvent EgressDown(string egress, string reason, DateTimeOffset time) =>
        new(EgressDownEvent, time) { Egress = egress, Reason = reason };

    /// <summary>The kill switch changed: "closed" (normal), "lockdown", or "open".</summary>
    public static ControlEvent KillSwitch(string state, bool rulesetVerified, DateTimeOffset time) =>
        new(KillSwitchEvent, time) { State = state, RulesetVerified = rulesetVerified };

    public static ControlEvent Lost(long count, DateTimeOffset time) => new(LostEvent, time) { Count = count };

    /// <summary>The event as one JSON line (no newline).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, ControlJsonContext.Default.ControlEvent);
}
