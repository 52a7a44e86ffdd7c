using System.CommandLine;
using Galaxy.Agent.Provisioning.OpenVpn;
using Galaxy.Agent.Provisioning.Ssh;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy vps ssh --name NAME --endpoint IP[:PORT] --out DIR [--user USER] [--force]</c>: makes both ends of
/// an SSH egress — for the VPS (<c>server/</c>) a dedicated forwarding-only sshd with its own host key, the
/// router's public key and install.sh; for the router (<c>router/</c>) the identity key, the host-key pin and
/// the <c>[[egress]]</c> snippet. Exit code <see cref="ExitCodes.Usage"/> for a bad argument,
/// <see cref="ExitCodes.Failure"/> when the folder cannot be written, would lose keys, or ssh-keygen failed.
/// </summary>
internal static class VpsSshCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Name of the egress: file names, the systemd unit and the egress are named for it.", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = $"Where the router reaches the VPS: IP, IP:PORT or [IPv6]:PORT (port {SshVpsSpec.DefaultPort} by default).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder to write into (created when missing).", Required = true };
        var user = new Option<string>("--user") { Description = "The forwarding-only account on the VPS.", DefaultValueFactory = _ => SshVpsSpec.DefaultUser };
        var force = new Option<bool>("--force") { Description = "Replace files (keys included) left in the folder by an earlier run." };
        var ssh = new Command("ssh", "Make an SSH egress: a forwarding-only sshd for a VPS (host key, install.sh) and the router's key, host-key pin and [[egress]].")
        {
            name, endpoint, output, user, force,
        };
        ssh.SetAction(result =>
        {
            var error = result.InvocationConfiguration.Error;
            var spec = Validate(result.GetValue(name)!, result.GetValue(endpoint)!, result.GetValue(user)!, error);
            return spec is null
                ? ExitCodes.Usage
                : Write(spec, result.GetValue(output)!, result.GetValue(force), result.InvocationConfiguration.Output, error);
        });
        return ssh;
    }

    /// <summary>Checks every argument and reports every problem; null when one was wrong.</summary>
    internal static SshVpsSpec? Validate(string name, string endpoint, string user, TextWriter error)
    {
        var ok = true;
        if (VpsServerSpec.CheckName(name) is { } nameProblem)
        {
            error.WriteLine($"galaxy vps ssh: --name {nameProblem}");
            ok = false;
        }

        if (!SshVpsSpec.TryParseEndpoint(endpoint, out var parsed, out var endpointProblem))
        {
            error.WriteLine($"galaxy vps ssh: --endpoint {endpointProblem}");
            ok = false;
        }

        if (SshVpsSpec.CheckUser(user) is { } userProblem)
        {
            error.WriteLine($"galaxy vps ssh: --user {userProblem}");
            ok = false;
        }

        return ok ? new SshVpsSpec(name, parsed!, user) : null;
    }

    internal static int Write(SshVpsSpec spec, string directory, bool force, TextWriter output, TextWriter error)
    {
        try
        {
            var bundle = SshVpsBundle.Create(spec);
            var written = bundle.WriteTo(directory, force);
            output.WriteLine($"SSH egress \"{spec.Name}\": a forwarding-only sshd on port {spec.Endpoint.Port} for {spec.User}@{spec.Endpoint.Address}:");
            for (var i = 0; i < written.Length; i++)
            {
                var file = bundle.Files[i];
                output.WriteLine($"  {written[i]}  (0{Convert.ToString((int)file.Mode, 8)}) {file.Description}");
            }

            var root = Path.GetFullPath(directory);
            output.WriteLine("Next:");
            output.WriteLine($"  copy {Path.Combine(root, SshVpsBundle.ServerFolder)} to the VPS and run there as root: sh install.sh");
            output.WriteLine($"  on the router: copy {spec.Name}.key and {spec.Name}.known_hosts to {SshVpsBundle.RouterKeyDirectory}/, add {spec.Name}.egress.toml to galaxy.toml");
            return ExitCodes.Ok;
        }
        catch (VpsSshException e)
        {
            error.WriteLine($"galaxy vps ssh: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
