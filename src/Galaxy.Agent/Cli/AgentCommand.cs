using System.CommandLine;
using System.Runtime.InteropServices;
using Galaxy.Agent.Agent;
using Galaxy.Agent.Config;
using Galaxy.Agent.Interop;
using Galaxy.Netlink;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy agent [--config FILE] [--log-level LEVEL]</c>: runs the router until SIGTERM/SIGINT. A refused configuration exits
/// with <see cref="ExitCodes.ConfigError"/> and every reason, touching nothing in the kernel.
/// </summary>
internal static class AgentCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config", "-c")
        {
            Description = "The configuration file.",
            DefaultValueFactory = _ => ConfigLoader.DefaultPath,
        };
        var level = new Option<string?>("--log-level")
        {
            Description = $"Least severe log level written to stderr ({ConfigLoader.LogLevelNames}); overrides [log] level in the configuration (default info).",
            HelpName = "level",
        };
        level.Validators.Add(result =>
        {
            if (result.GetValue(level) is { } text && !ConfigLoader.TryParseLogLevel(text, out _))
            {
                result.AddError($"--log-level '{text}' is not one of {ConfigLoader.LogLevelNames}");
            }
        });
        var command = new Command("agent", "Run the router: firewall, policy routing, relay, tunnels; until SIGTERM.") { config, level };
        command.SetAction(async (result, cancellationToken) =>
        {
            var error = result.InvocationConfiguration.Error;
            GalaxyConfig loaded;
            try
            {
                loaded = ConfigLoader.LoadFile(result.GetValue(config)!);
            }
            catch (ConfigException e)
            {
                foreach (var reason in e.Errors)
                {
                    await error.WriteLineAsync($"galaxy agent: {reason}").ConfigureAwait(false);
                }

                return ExitCodes.ConfigError;
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignals.Handle(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            var logs = new StderrLoggerFactory(ConfigLoader.TryParseLogLevel(result.GetValue(level), out var minimum) ? minimum : loaded.Log.Level);
            await using var host = new AgentHost(loaded, logs, egress => TunnelDrivers.Create(egress, loaded, logs));
            try
            {
                await host.RunAsync(stop.Token).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is NetlinkException or System.Net.Sockets.SocketException or IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"galaxy agent: {e.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
