using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Galaxy.Agent.Control;

/// <summary>
/// Maps a parsed request to an answer from <see cref="IAgentControl"/> — no socket, so every endpoint's contract
/// is testable as a function. Unknown path 404, known path with another method 405 (with Allow).
/// <code>
/// GET    /v1/status             AgentStatus
/// GET    /v1/egresses           EgressStatus[]
/// GET    /v1/connections        ConnectionView[]
/// DELETE /v1/connections/{id}   204-like 200 {"closed":id} or 404
/// GET    /v1/metrics            Prometheus text
/// GET    /v1/events             JSON lines, chunked (server streams) or 501
/// POST   /v1/lockdown           LockdownState (lockdown on; answered once applied)
/// DELETE /v1/lockdown           LockdownState (lockdown off)
/// POST   /v1/reload             ReloadView (200 applied, 422 refused: the running configuration stays)
/// GET    /v1/explain?dst=…      ExplainView (src, proto, domain optional)
/// </code>
/// </summary>
internal static class ControlRouter
{
    private const string ConnectionsPrefix = "/v1/connections/";

    /// <summary>How long a lockdown change may take before the caller is told it is still pending.</summary>
    public static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Every endpoint: those that change the agent's state wait for the reconcile loop (at most
    /// <see cref="ChangeTimeout"/>, then 503); the others are answered by <see cref="Route"/>.
    /// </summary>
    public static async ValueTask<ControlResponse> RouteAsync(HttpRequest request, IAgentControl agent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(agent);
        if (request.Path == "/v1/reload")
        {
            return await ReloadAsync(request, agent, ct).ConfigureAwait(false);
        }

        if (request.Path != "/v1/lockdown")
        {
            return Route(request, agent);
        }

        bool on;
        switch (request.Method)
        {
            case "POST":
                on = true;
                break;
            case "DELETE":
                on = false;
                break;
            default:
                return ControlResponse.Error(405, $"{request.Method} is not allowed on {request.Path}", "POST, DELETE");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ChangeTimeout);
        try
        {
            var state = await agent.SetLockdownAsync(on, deadline.Token).ConfigureAwait(false);
            return Ok(JsonSerializer.SerializeToUtf8Bytes(state, ControlJsonContext.Default.LockdownState));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ControlResponse.Error(503, $"the agent did not apply the lockdown change within {ChangeTimeout.TotalSeconds:0} s; it is still queued");
        }
    }

    public static ControlResponse Route(HttpRequest request, IAgentControl agent)
    {
        var path = request.Path;
        switch (path)
        {
            case "/v1/status":
                return OnlyGet(request) ?? Ok(JsonSerializer.SerializeToUtf8Bytes(agent.Status(), ControlJsonContext.Default.AgentStatus));
            case "/v1/egresses":
                return OnlyGet(request) ?? Ok(JsonSerializer.SerializeToUtf8Bytes(agent.Egresses().ToArray(), ControlJsonContext.Default.EgressStatusArray));
            case "/v1/connections":
                return OnlyGet(request) ?? Ok(JsonSerializer.SerializeToUtf8Bytes(
                    agent.Connections().Select(ConnectionView.From).ToArray(), ControlJsonContext.Default.ConnectionViewArray));
            case "/v1/metrics":
                return OnlyGet(request) ?? new ControlResponse(200, ControlResponse.Text, Encoding.UTF8.GetBytes(MetricsText.Render(agent.Egresses(), agent.Connections(), agent.Counters())));
            case "/v1/lockdown":
                return ControlResponse.Error(405, $"{request.Method} is not allowed on {path}", "POST, DELETE");
            case "/v1/reload":
                return ControlResponse.Error(405, $"{request.Method} is not allowed on {path}", "POST");
            case "/v1/explain":
                return OnlyGet(request) ?? Explain(request, agent);
            case "/v1/events":
                return OnlyGet(request) ?? new ControlResponse(200, "application/x-ndjson", []) { IsEventStream = true };
        }

        if (path.StartsWith(ConnectionsPrefix, StringComparison.Ordinal))
        {
            var idText = path[ConnectionsPrefix.Length..];
            if (request.Method != "DELETE")
            {
                return ControlResponse.Error(405, $"{request.Method} is not allowed on {path}", "DELETE");
            }

            if (idText.Length is 0 or > 19 || !idText.All(char.IsAsciiDigit)
                || !long.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return ControlResponse.Error(400, $"connection id '{idText}' is not a number");
            }

            return agent.CloseConnection(id)
                ? Ok(Encoding.UTF8.GetBytes($"{{\"closed\":{id.ToString(CultureInfo.InvariantCulture)}}}"))
                : ControlResponse.Error(404, $"no connection {id.ToString(CultureInfo.InvariantCulture)}");
        }

        return ControlResponse.Error(404, $"no endpoint {path}");
    }

    private static async ValueTask<ControlResponse> ReloadAsync(HttpRequest request, IAgentControl agent, CancellationToken ct)
    {
        if (request.Method != "POST")
        {
            return ControlResponse.Error(405, $"{request.Method} is not allowed on {request.Path}", "POST");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ChangeTimeout);
        try
        {
            var result = await agent.ReloadAsync(deadline.Token).ConfigureAwait(false);
            return new ControlResponse(result.Applied ? 200 : 422, ControlResponse.Json,
                JsonSerializer.SerializeToUtf8Bytes(result, ControlJsonContext.Default.ReloadView));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ControlResponse.Error(503, $"the agent did not reload within {ChangeTimeout.TotalSeconds:0} s; it is still queued");
        }
    }

    private static ControlResponse Explain(HttpRequest request, IAgentControl agent)
    {
        if (ExplainQuery.Parse(request.Query, out var error) is not { } query)
        {
            return ControlResponse.Error(400, error!);
        }

        return agent.Explain(query) is { } view
            ? Ok(JsonSerializer.SerializeToUtf8Bytes(view, ControlJsonContext.Default.ExplainView))
            : ControlResponse.Error(503, "the agent is not routing yet");
    }

    private static ControlResponse? OnlyGet(HttpRequest request) =>
        request.Method is "GET" ? null : ControlResponse.Error(405, $"{request.Method} is not allowed on {request.Path}", "GET");

    private static ControlResponse Ok(byte[] json) => new(200, ControlResponse.Json, json);
}
