using System.Text.Json.Serialization;

namespace Galaxy.Agent.Control;

/// <summary>
/// The control API's JSON contracts, source-generated (the binary is NativeAOT: no reflection serialization).
/// Names are snake_case, nulls are written, times are ISO 8601 with offset.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    WriteIndented = false)]
[JsonSerializable(typeof(AgentStatus))]
[JsonSerializable(typeof(EgressStatus[]))]
[JsonSerializable(typeof(ConnectionView[]))]
[JsonSerializable(typeof(ControlError))]
[JsonSerializable(typeof(ReloadView))]
[JsonSerializable(typeof(ExplainView))]
[JsonSerializable(typeof(ControlEvent))]
[JsonSerializable(typeof(LockdownState))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
