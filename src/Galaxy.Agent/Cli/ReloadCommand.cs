using System.CommandLine;
using System.Text.Json;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy reload [--json]</c>: the running agent reads its configuration file again (as on SIGHUP). New rules
/// decide new flows; a refused file changes nothing and exits 3 with every reason.
/// </summary>
internal static class ReloadCommand
{
    public static Command Create()
    {
        var socket = ControlCommandSupport.SocketOption();
        var json = ControlCommandSupport.JsonOption();
        var command = new Command("reload", "Reload the running agent's configuration file (rules, groups, clients, [routing]).") { socket, json };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var error = result.InvocationConfiguration.Error;
            var call = ControlClient.CallAsync(ControlCommandSupport.ResolveSocket(result.GetValue(socket)), "POST", "/v1/reload", TimeSpan.FromSeconds(15),
                CancellationToken.None).GetAwaiter().GetResult();
            if (ControlCommandSupport.ExitCodeOf(call) is { } failed)
            {
                error.WriteLine($"galaxy reload: {call.Message}");
                return failed;
            }

            if (call.StatusCode is not (200 or 422))
            {
                error.WriteLine($"galaxy reload: the agent answered {call.StatusCode}: {call.Body}");
                return ExitCodes.Failure;
            }

            if (result.GetValue(json))
            {
                output.WriteLine(call.Body);
                return call.StatusCode == 200 ? ExitCodes.Ok : ExitCodes.ConfigError;
            }

            ReloadView? view;
            try
            {
                view = JsonSerializer.Deserialize(call.Body, ControlJsonContext.Default.ReloadView);
            }
            catch (JsonException e)
            {
                error.WriteLine($"galaxy reload: the agent's answer does not parse: {e.Message}");
                return ExitCodes.Failure;
            }

            if (view is { Applied: true })
            {
                output.WriteLine($"reloaded: {view.Summary}");
                return ExitCodes.Ok;
            }

            error.WriteLine($"galaxy reload: refused ({view?.Summary})");
            foreach (var reason in view?.Errors ?? [])
            {
                error.WriteLine($"  {reason}");
            }

            return ExitCodes.ConfigError;
        });
        return command;
    }
}
