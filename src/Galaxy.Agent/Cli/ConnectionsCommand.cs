using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Cli;

/// <summary><c>galaxy connections [--json]</c>: the flows the relay carries now.</summary>
internal static class ConnectionsCommand
{
    public static Command Create()
    {
        var socket = ControlCommandSupport.SocketOption();
        var json = ControlCommandSupport.JsonOption();
        var command = new Command("connections", "Show the relayed connections: client, destination, egress, rule, bytes, age.") { socket, json };
        command.SetAction(result => ControlCommandSupport.Get(result, "connections", "/v1/connections", socket, json,
            (body, output) => Render(
                JsonSerializer.Deserialize(body, ControlJsonContext.Default.ConnectionViewArray) ?? [],
                DateTimeOffset.UtcNow,
                output)));
        return command;
    }

    public static void Render(IReadOnlyList<ConnectionView> connections, DateTimeOffset now, TextWriter output)
    {
        if (connections.Count == 0)
        {
            output.WriteLine("no connections");
            return;
        }

        ControlCommandSupport.WriteTable(
            output,
            ["ID", "PROTO", "CLIENT", "DESTINATION", "EGRESS", "RULE", "AGE", "UP", "DOWN", "STATE"],
            connections.Select(c => new[]
            {
                c.Id.ToString(CultureInfo.InvariantCulture),
                c.Protocol,
                c.Client,
                c.Destination,
                c.Egress,
                c.Rule ?? "-",
                ControlCommandSupport.Age(now - c.Started),
                ControlCommandSupport.Bytes(c.BytesUp),
                ControlCommandSupport.Bytes(c.BytesDown),
                c.Connected ? "relaying" : "dialing",
            }));
    }
}
