namespace Galaxy.Agent.Control;

/// <summary>The body of every 4xx/5xx answer: <c>{"error":"…"}</c>.</summary>
internal sealed record ControlError(string Error);
