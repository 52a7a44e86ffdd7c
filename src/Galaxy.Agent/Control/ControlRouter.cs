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
/// GET    /v1/events             JSON lines (server streams) or 501
/// </code>
/// </summary>
internal static class ControlRouter
{
    private const string ConnectionsPrefix = "/v1/connections/";

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
                return OnlyGet(request) ?? new ControlResponse(200, ControlResponse.Text, Encoding.UTF8.GetBytes(MetricsText.Render(agent.Egresses(), agent.Connections())));
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

    private static ControlResponse? OnlyGet(HttpRequest request) =>
        request.Method is "GET" ? null : ControlResponse.Error(405, $"{request.Method} is not allowed on {request.Path}", "GET");

    private static ControlResponse Ok(byte[] json) => new(200, ControlResponse.Json, json);
}
