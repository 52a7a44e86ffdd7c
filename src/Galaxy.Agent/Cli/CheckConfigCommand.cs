using System.CommandLine;
using Galaxy.Agent.Config;

namespace Galaxy.Agent.Cli;

/// <summary><c>galaxy check-config FILE</c>: every error at once, each with its file and line; exit 3 when refused.</summary>
internal static class CheckConfigCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The configuration file to check.", DefaultValueFactory = _ => ConfigLoader.DefaultPath };
        var command = new Command("check-config", "Check a configuration file (and the OpenVPN profiles it names) without applying it.") { file };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            var path = result.GetValue(file)!;
            try
            {
                var config = ConfigLoader.LoadFile(path);
                output.WriteLine($"{path}: ok ({config.Egresses.Length} egress(es): {string.Join(", ", config.Egresses.Select(e => $"{e.Name} ({e.Kind})"))})");
                return ExitCodes.Ok;
            }
            catch (ConfigException e)
            {
                foreach (var reason in e.Errors)
                {
                    output.WriteLine($"{reason}: error");
                }

                return ExitCodes.ConfigError;
            }
        });
        return command;
    }
}
