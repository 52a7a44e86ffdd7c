using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Cli;

/// <summary><c>galaxy egresses [--json]</c>: each egress's state, since when, why, bytes, flows and failed dials.</summary>
internal static class EgressesCommand
{
    public static Command Create()
    {
        var socket = ControlCommandSupport.SocketOption();
        var json = ControlCommandSupport.JsonOption();
        var command = new Command("egresses", "Show each egress: up or down, since when, last reason, bytes, connections, flows it could not dial.") { socket, json };
        command.SetAction(result => ControlCommandSupport.Get(result, "egresses", "/v1/egresses", socket, json,
            (body, output) => Render(
                JsonSerializer.Deserialize(body, ControlJsonContext.Default.EgressStatusArray) ?? [],
                DateTimeOffset.UtcNow,
                output)));
        return command;
    }

    public static void Render(IReadOnlyList<EgressStatus> egresses, DateTimeOffset now, TextWriter output)
    {
        if (egresses.Count == 0)
        {
            output.WriteLine("no egresses configured");
            return;
        }

        ControlCommandSupport.WriteTable(
            output,
            ["EGRESS", "KIND", "STATE", "SINCE", "UP", "DOWN", "CONNS", "LATENCY", "REASON", "FAILED-DIALS"],
            egresses.Select(e => new[]
            {
                e.Name,
                e.Kind,
                e.Up ? "up" : "down",
                ControlCommandSupport.Age(now - e.Since),
                ControlCommandSupport.Bytes(e.BytesUp),
                ControlCommandSupport.Bytes(e.BytesDown),
                e.Connections.ToString(CultureInfo.InvariantCulture),
                e.LatencyMs is { } latency ? latency.ToString("0.0 'ms'", CultureInfo.InvariantCulture) : "-",
                e.Reason ?? "-",
                DialFailures(e, now),
            }));
    }

    /// <summary>"-", or "COUNT, last AGE ago: DESTINATION: REASON".</summary>
    private static string DialFailures(EgressStatus egress, DateTimeOffset now) =>
        egress is { DialFailures: > 0, LastDialError: { } error, LastDialErrorAt: { } at }
            ? $"{egress.DialFailures.ToString(CultureInfo.InvariantCulture)}, last {ControlCommandSupport.Age(now - at)} ago: {error}"
            : "-";
}
