namespace Galaxy.Agent.Control;

/// <summary>The answer of <c>POST /v1/reload</c>: applied, or refused with every reason (the running configuration stays).</summary>
internal sealed record ReloadView(bool Applied, string Summary, string[] Errors);
