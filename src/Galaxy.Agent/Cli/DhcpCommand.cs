using System.CommandLine;
using Galaxy.Agent.Config;
using Galaxy.Agent.Dhcp;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy dhcp render [--config FILE] [--out FILE] [--interfaces FILE]</c>: writes busybox udhcpd's configuration
/// from <c>[dhcp]</c> (to stdout without <c>--out</c>), and with <c>--interfaces</c> the ifupdown stanza of the router's
/// LAN address. When <c>[dhcp] enabled</c> is false the <c>--out</c> file is removed, so the OpenRC service
/// <c>galaxy-dhcp</c> finds nothing to serve. Exit 3 when the configuration is refused.
/// </summary>
internal static class DhcpCommand
{
    public static Command Create()
    {
        var dhcp = new Command("dhcp", "The LAN's DHCP service (busybox udhcpd) as [dhcp] in galaxy.toml describes it.");
        var config = new Option<string>("--config") { Description = "The configuration file.", DefaultValueFactory = _ => ConfigLoader.DefaultPath };
        var output = new Option<string?>("--out") { Description = "Where to write udhcpd.conf (removed when DHCP is disabled); default: stdout." };
        var interfaces = new Option<string?>("--interfaces") { Description = "Also write the LAN address stanza for ifupdown here (e.g. /etc/network/interfaces.d/galaxy-lan)." };
        var render = new Command("render", "Write udhcpd.conf (and optionally the LAN interface stanza) from galaxy.toml.")
        {
            config,
            output,
            interfaces,
        };
        render.SetAction(result =>
        {
            var stdout = result.InvocationConfiguration.Output;
            var stderr = result.InvocationConfiguration.Error;
            var path = result.GetValue(config)!;
            GalaxyConfig loaded;
            try
            {
                loaded = ConfigLoader.LoadFile(path);
            }
            catch (ConfigException e)
            {
                foreach (var reason in e.Errors)
                {
                    stderr.WriteLine($"{reason}: error");
                }

                return ExitCodes.ConfigError;
            }

            var settings = loaded.Dhcp;
            var outPath = result.GetValue(output);
            var interfacesPath = result.GetValue(interfaces);
            try
            {
                if (interfacesPath is not null)
                {
                    if (settings.Subnet is null)
                    {
                        stderr.WriteLine($"galaxy dhcp render: {path} has no [dhcp] subnet: the LAN address is not Galaxy's to set (no stanza written)");
                        File.Delete(interfacesPath);
                    }
                    else
                    {
                        WriteAtomically(interfacesPath, UdhcpdConfig.InterfacesStanza(settings, path));
                        stdout.WriteLine($"{interfacesPath}: {settings.Interface} {settings.Address}/{settings.Subnet.Value.PrefixLength}");
                    }
                }

                if (!settings.Enabled)
                {
                    if (outPath is not null)
                    {
                        File.Delete(outPath);
                    }

                    stdout.WriteLine($"dhcp: disabled in {path}");
                    return ExitCodes.Ok;
                }

                var text = UdhcpdConfig.Render(settings, path);
                if (outPath is null)
                {
                    stdout.Write(text);
                }
                else
                {
                    WriteAtomically(outPath, text);
                    stdout.WriteLine($"{outPath}: {settings.Interface} {settings.RangeStart}-{settings.RangeEnd}, gateway and DNS {settings.Address}");
                }

                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"galaxy dhcp render: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        dhcp.Subcommands.Add(render);
        return dhcp;
    }

    private static void WriteAtomically(string path, string text)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = path + ".new";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
