using System.CommandLine;
using System.CommandLine.Invocation;

namespace Galaxy.Agent.Cli;

/// <summary>
/// The <c>galaxy</c> command line: a System.CommandLine tree (source-free of reflection, so it is
/// NativeAOT-safe) and the rules for what reaches stdout, stderr and the exit code. Each subcommand
/// lives in its own file and is added in <see cref="Build"/>.
/// </summary>
internal static class GalaxyCli
{
    public const string Description =
        "Galaxy: a transparent proxy engine for router VMs. It carries all LAN traffic over egress " +
        "tunnels and fails closed in the kernel when they drop.";

    public static RootCommand Build()
    {
        var root = new RootCommand(Description);
        foreach (var option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Action = new PrintVersionAction();
            }
        }

        root.Subcommands.Add(VersionCommand.Create());
        root.Subcommands.Add(RelayCommand.Create());
        root.Subcommands.Add(OvpnCommand.Create());
        root.Subcommands.Add(LockdownCommand.Create());
        root.Subcommands.Add(AgentCommand.Create());
        root.Subcommands.Add(CheckConfigCommand.Create());
        root.Subcommands.Add(VpsCommand.Create());
        root.Subcommands.Add(TunnelCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(EgressesCommand.Create());
        root.Subcommands.Add(ConnectionsCommand.Create());
        root.Subcommands.Add(EventsCommand.Create());
        root.Subcommands.Add(ReloadCommand.Create());
        root.Subcommands.Add(ExplainCommand.Create());
        root.Subcommands.Add(ExplainCommand.CreateRoute());
        root.Subcommands.Add(PortalCommand.Create());
        root.Subcommands.Add(DhcpCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs one command line. Usage errors go to <paramref name="error"/> with exit code
    /// <see cref="ExitCodes.Usage"/>; nothing else is printed for them.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build();
        var configuration = new InvocationConfiguration { Output = output, Error = error };
        var result = root.Parse(args);

        if (result.Errors.Count > 0)
        {
            foreach (var parseError in result.Errors)
            {
                error.WriteLine($"galaxy: {parseError.Message}");
            }

            error.WriteLine("Run 'galaxy --help' to see the commands.");
            return ExitCodes.Usage;
        }

        return result.Invoke(configuration);
    }

    private sealed class PrintVersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(BuildInfo.Current.VersionLine);
            return ExitCodes.Ok;
        }
    }
}
