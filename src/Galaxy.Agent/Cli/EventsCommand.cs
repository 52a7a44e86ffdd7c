using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy events [--json]</c>: the agent's state changes as they happen (<c>GET /v1/events</c>), one line each,
/// until Ctrl-C (exit 0). When the agent ends the stream (it stops) the command says so and exits 1.
/// </summary>
internal static class EventsCommand
{
    public static Command Create()
    {
        var socket = ControlCommandSupport.SocketOption();
        var json = ControlCommandSupport.JsonOption();
        var command = new Command("events", "Print the agent's events (egress up/down, kill switch, lockdown) as they happen, until Ctrl-C.") { socket, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var raw = result.GetValue(json);
            var socketPath = ControlCommandSupport.ResolveSocket(result.GetValue(socket));
            var call = await ControlClient.StreamAsync(
                socketPath,
                "/v1/events",
                line =>
                {
                    output.WriteLine(raw ? line : Render(line));
                    output.Flush();
                },
                TimeSpan.FromSeconds(10),
                cancellationToken).ConfigureAwait(false);
            if (ControlCommandSupport.ExitCodeOf(call) is { } failed)
            {
                await error.WriteLineAsync($"galaxy events: {call.Message}").ConfigureAwait(false);
                return failed;
            }

            if (call.StatusCode != 200)
            {
                await error.WriteLineAsync($"galaxy events: the agent answered {call.StatusCode}: {call.Body}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            if (call.Message.Length > 0)
            {
                await error.WriteLineAsync($"galaxy events: {call.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One event as a line for people: "2026-11-26 04:12:01Z  egress vpn DOWN: lockdown"; unknown events as they came.</summary>
    public static string Render(string line)
    {
        ControlEvent? e;
        try
        {
            e = JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlEvent);
        }
        catch (JsonException)
        {
            return line;
        }

        if (e is null)
        {
            return line;
        }

        string? text = e.Event switch
        {
            ControlEvent.EgressUpEvent => $"egress {e.Egress} UP{(e.Device is null ? "" : $" (device {e.Device})")}",
            ControlEvent.EgressDownEvent => $"egress {e.Egress} DOWN: {e.Reason}",
            ControlEvent.KillSwitchEvent => $"kill switch {e.State}{(e.RulesetVerified == false ? " (ruleset NOT verified)" : "")}",
            ControlEvent.LostEvent => $"{e.Count} event(s) lost: this reader was too slow",
            _ => null,
        };
        return text is null ? line : $"{e.Time.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture)}  {text}";
    }
}
