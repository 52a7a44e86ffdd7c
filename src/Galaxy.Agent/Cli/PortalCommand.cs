using System.CommandLine;
using Galaxy.Agent.Config;
using Galaxy.Agent.Portal;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy portal render SETTINGS --out DIR</c> (the fleet's folder, a git repository) and
/// <c>galaxy portal up|down NAME [--dir DIR] [--no-start]</c> (one router: fresh overlay and config drive, virsh).
/// Runs on the virtualisation host, not in a router.
/// </summary>
internal static class PortalCommand
{
    public static Command Create()
    {
        var portal = new Command("portal", "The fleet of router VMs on the host: render their folders, start and stop them.");
        portal.Subcommands.Add(RenderCommand());
        portal.Subcommands.Add(UpCommand());
        portal.Subcommands.Add(DownCommand());
        return portal;
    }

    private static Command RenderCommand()
    {
        var settings = new Argument<string>("SETTINGS") { Description = "The portal settings file (TOML)." };
        var output = new Option<string>("--out") { Description = "The portal folder (a git repository; created when missing).", Required = true };
        var drives = new Option<bool>("--drives") { Description = "Also burn every router's config drive into the state folder (portal up does it anyway)." };
        var command = new Command("render", "Render every router's folder (base files, galaxy.toml, credentials, libvirt XML) and commit; local commits are kept.")
        {
            settings,
            output,
            drives,
        };
        command.SetAction(result =>
        {
            var stdout = result.InvocationConfiguration.Output;
            var stderr = result.InvocationConfiguration.Error;
            try
            {
                var loaded = PortalSettingsLoader.LoadFile(result.GetValue(settings)!);
                var outcome = PortalRenderer.Render(loaded, result.GetValue(output)!);
                var what = outcome.Merge switch
                {
                    MergeOutcome.UpToDate => "up to date (no new commit)",
                    MergeOutcome.FastForward => "updated",
                    _ => "merged with local commits",
                };
                stdout.WriteLine($"{loaded.Routers.Length} router(s) ({string.Join(", ", loaded.Routers.Select(r => r.Name))}): {what}; rendering {outcome.RenderCommit[..12]}{(outcome.NewRendering ? " (new)" : "")}");
                if (result.GetValue(drives))
                {
                    foreach (var image in PortalRenderer.BuildDrives(loaded, result.GetValue(output)!))
                    {
                        stdout.WriteLine($"config drive: {image}");
                    }
                }

                return ExitCodes.Ok;
            }
            catch (ConfigException e)
            {
                foreach (var reason in e.Errors)
                {
                    stderr.WriteLine($"{reason}: error");
                }

                return ExitCodes.ConfigError;
            }
            catch (Exception e) when (e is PortalException or IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"galaxy portal render: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private static Command UpCommand()
    {
        var name = new Argument<string>("NAME") { Description = "The router (its folder in the portal folder)." };
        var dir = DirOption();
        var noStart = new Option<bool>("--no-start") { Description = "Only make the overlay and the config drive; do not call virsh." };
        var command = new Command("up", "Start a router from the template: a fresh overlay, a fresh config drive, then virsh define and start.")
        {
            name,
            dir,
            noStart,
        };
        command.SetAction(result => Guard(result, "up", () =>
        {
            var outcome = new PortalLifecycle(result.GetValue(dir)!).Up(result.GetValue(name)!, !result.GetValue(noStart));
            var stdout = result.InvocationConfiguration.Output;
            stdout.WriteLine($"overlay: {outcome.Overlay}");
            stdout.WriteLine($"config drive: {outcome.ConfigDrive}");
            stdout.WriteLine(outcome.Started ? $"{result.GetValue(name)}: started" : $"{result.GetValue(name)}: not started ({outcome.Note})");
        }));
        return command;
    }

    private static Command DownCommand()
    {
        var name = new Argument<string>("NAME") { Description = "The router." };
        var dir = DirOption();
        var command = new Command("down", "Stop a router and delete its overlay (nothing it wrote is kept).") { name, dir };
        command.SetAction(result => Guard(result, "down", () =>
            result.InvocationConfiguration.Output.WriteLine(new PortalLifecycle(result.GetValue(dir)!).Down(result.GetValue(name)!))));
        return command;
    }

    private static Option<string> DirOption() =>
        new("--dir") { Description = "The portal folder (default: the current directory).", DefaultValueFactory = _ => "." };

    private static int Guard(ParseResult result, string verb, Action action)
    {
        var stderr = result.InvocationConfiguration.Error;
        try
        {
            action();
            return ExitCodes.Ok;
        }
        catch (ConfigException e)
        {
            foreach (var reason in e.Errors)
            {
                stderr.WriteLine($"{reason}: error");
            }

            return ExitCodes.ConfigError;
        }
        catch (Exception e) when (e is PortalException or IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"galaxy portal {verb}: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
