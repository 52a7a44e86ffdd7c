using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Cli;

/// <summary><c>galaxy status [--json]</c>: the running agent at a glance, from <c>GET /v1/status</c>.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var socket = ControlCommandSupport.SocketOption();
        var json = ControlCommandSupport.JsonOption();
        var command = new Command("status", "Show the running agent: version, uptime, kill switch, ruleset check, egresses up.") { socket, json };
        command.SetAction(result => ControlCommandSupport.Get(result, "status", "/v1/status", socket, json,
            (body, output) => Render(
                JsonSerializer.Deserialize(body, ControlJsonContext.Default.AgentStatus) ?? throw new JsonException("null status"),
                DateTimeOffset.UtcNow,
                output)));
        return command;
    }

    public static void Render(AgentStatus status, DateTimeOffset now, TextWriter output)
    {
        output.WriteLine($"version:     {status.Version}");
        output.WriteLine($"started:     {status.StartedAt.ToString("u", CultureInfo.InvariantCulture)} (up {ControlCommandSupport.Age(now - status.StartedAt)})");
        output.WriteLine($"kill switch: {status.KillSwitch}");
        output.WriteLine($"ruleset:     {(status.RulesetVerified ? "verified (read back matches)" : "NOT verified (read back differs)")}");
        output.WriteLine($"egresses:    {status.Egresses.Up} of {status.Egresses.Total} up");
    }
}
