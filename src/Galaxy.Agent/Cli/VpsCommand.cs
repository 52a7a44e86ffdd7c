using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Provisioning.OpenVpn;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Cli;

/// <summary>
/// <c>galaxy vps openvpn --name NAME --endpoint HOST[:PORT] --out DIR [--proto udp|tcp] [--subnet CIDR]
/// [--dns IP] [--force]</c>: makes the server end of an OpenVPN tunnel for a rented VPS — its CA and
/// certificates, tls-crypt key, <c>server.conf</c>, <c>install.sh</c> — and the client profile
/// <c>NAME.ovpn</c> that <c>galaxy ovpn check</c> accepts. Exit code <see cref="ExitCodes.Usage"/> for a
/// bad argument, <see cref="ExitCodes.Failure"/> when the folder cannot be written or would lose keys.
/// </summary>
internal static class VpsCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Name of the tunnel: the client profile is NAME.ovpn and the certificates are named for it.", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = $"Where clients reach the VPS: HOST, HOST:PORT or [IPv6]:PORT (port {VpsEndpoint.DefaultPort} by default).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder to write into (created when missing).", Required = true };
        var proto = new Option<string>("--proto") { Description = "Transport: udp or tcp.", DefaultValueFactory = _ => "udp" };
        proto.AcceptOnlyFromAmong("udp", "tcp");
        var subnet = new Option<string>("--subnet") { Description = "IPv4 network handed out to clients; the server takes its first address.", DefaultValueFactory = _ => TunnelSubnet.Default };
        var dns = new Option<string?>("--dns") { Description = "A DNS server pushed to ordinary clients (Galaxy ignores it); none by default." };
        var force = new Option<bool>("--force") { Description = "Replace files (keys included) left in the folder by an earlier run." };

        var openvpn = new Command("openvpn", "Make an OpenVPN server for a VPS: CA, certificates, tls-crypt key, server.conf, install.sh and the client's NAME.ovpn.")
        {
            name, endpoint, output, proto, subnet, dns, force,
        };
        openvpn.SetAction(result =>
        {
            var error = result.InvocationConfiguration.Error;
            var spec = Validate(result.GetValue(name)!, result.GetValue(endpoint)!, result.GetValue(proto)!, result.GetValue(subnet)!, result.GetValue(dns), error);
            return spec is null
                ? ExitCodes.Usage
                : Write(spec, result.GetValue(output)!, result.GetValue(force), TimeProvider.System, result.InvocationConfiguration.Output, error);
        });

        var vps = new Command("vps", "Set up the far end of a tunnel on a rented server.");
        vps.Subcommands.Add(openvpn);
        vps.Subcommands.Add(VpsSshCommand.Create());
        return vps;
    }

    /// <summary>Checks every argument and reports every problem; null when one was wrong.</summary>
    internal static VpsServerSpec? Validate(string name, string endpoint, string proto, string subnet, string? dns, TextWriter error)
    {
        var ok = true;
        if (VpsServerSpec.CheckName(name) is { } nameProblem)
        {
            error.WriteLine($"galaxy vps openvpn: --name {nameProblem}");
            ok = false;
        }

        if (!VpsEndpoint.TryParse(endpoint, out var parsedEndpoint, out var endpointProblem))
        {
            error.WriteLine($"galaxy vps openvpn: --endpoint {endpointProblem}");
            ok = false;
        }

        OvpnTransport transport = default;
        switch (proto)
        {
            case "udp":
                transport = OvpnTransport.Udp;
                break;
            case "tcp":
                transport = OvpnTransport.Tcp;
                break;
            default:
                error.WriteLine($"galaxy vps openvpn: --proto '{proto}': expected udp or tcp");
                ok = false;
                break;
        }

        if (!TunnelSubnet.TryParse(subnet, out var parsedSubnet, out var subnetProblem))
        {
            error.WriteLine($"galaxy vps openvpn: --subnet {subnetProblem}");
            ok = false;
        }

        IPAddress? dnsAddress = null;
        if (dns is not null && (!IPAddress.TryParse(dns, out dnsAddress) || (dnsAddress.AddressFamily == AddressFamily.InterNetwork && dns.Split('.').Length != 4)))
        {
            error.WriteLine($"galaxy vps openvpn: --dns '{dns}' is not an IP address");
            ok = false;
        }

        return ok ? new VpsServerSpec(name, parsedEndpoint!, transport, parsedSubnet!, dnsAddress) : null;
    }

    internal static int Write(VpsServerSpec spec, string directory, bool force, TimeProvider time, TextWriter output, TextWriter error)
    {
        var bundle = VpsServerBundle.Create(spec, time);
        try
        {
            var written = bundle.WriteTo(directory, force);
            output.WriteLine($"OpenVPN server \"{spec.Name}\" for {spec.Endpoint} ({spec.ProtocolName}), tunnel {spec.Subnet} (server {spec.Subnet.ServerAddress}):");
            for (var i = 0; i < written.Length; i++)
            {
                var file = bundle.Files[i];
                output.WriteLine($"  {written[i]}  (0{Convert.ToString((int)file.Mode, 8)}) {file.Description}");
            }

            var folder = Path.GetDirectoryName(written[0]);
            output.WriteLine("Next:");
            output.WriteLine($"  copy {folder} to the VPS (without {VpsServerBundle.CaKey}) and run there as root: sh install.sh");
            output.WriteLine($"  or run the server by hand: openvpn --cd {folder} --config {VpsServerConfig.FileName}");
            output.WriteLine($"  check the client profile: galaxy ovpn check {written[^1]}");
            return ExitCodes.Ok;
        }
        catch (VpsProvisioningException e)
        {
            error.WriteLine($"galaxy vps openvpn: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
