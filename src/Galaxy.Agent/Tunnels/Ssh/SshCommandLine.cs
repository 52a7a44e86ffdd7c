using System.Globalization;
using System.Net;

namespace Galaxy.Agent.Tunnels.Ssh;

/// <summary>
/// The argv of one SSH connection, pure. Nothing of the user's own ssh configuration applies (<c>-F none</c>,
/// no agent, no global known hosts): the key, the pinned host key and every option are Galaxy's.
/// <code>
/// setpriv --pdeathsig KILL --regid GID --clear-groups --
///   ssh -N -F none -o BatchMode=yes -o ExitOnForwardFailure=yes -o ServerAliveInterval=10 -o ServerAliveCountMax=3
///       -o ConnectTimeout=10 -o StrictHostKeyChecking=yes -o UserKnownHostsFile=PIN -o GlobalKnownHostsFile=none
///       -o UpdateHostKeys=no -o CheckHostIP=no -o IdentitiesOnly=yes -o IdentityAgent=none -o ForwardAgent=no
///       -o ForwardX11=no -o ControlMaster=no -o ControlPath=none -o PermitLocalCommand=no -o Tunnel=no
///       [-o BindInterface=DEV] -i KEY -D 127.0.0.1:SOCKS -p PORT USER@IP
/// </code>
/// <c>setpriv</c> makes ssh die with the agent (<c>--pdeathsig KILL</c>) and run with the egress's numeric
/// group, by which the firewall lets its packets reach exactly the pinned server. <c>BindInterface</c> (a
/// <c>via</c> OpenVPN egress) binds the socket to the tunnel device, so the kernel chooses the tunnel's
/// source address and the packets cannot take another way out.
/// </summary>
internal static class SshCommandLine
{
    public static IReadOnlyList<string> Build(SshConnectionSpec spec, string sshPath = "/usr/bin/ssh", string? launcher = "/usr/bin/setpriv")
    {
        ArgumentNullException.ThrowIfNull(spec);
        var argv = new List<string>();
        if (launcher is not null)
        {
            argv.AddRange([launcher, "--pdeathsig", "KILL", "--regid", spec.Gid.ToString(CultureInfo.InvariantCulture), "--clear-groups", "--"]);
        }

        argv.AddRange([sshPath, "-N", "-F", "none"]);
        foreach (var option in (string[])[
            "BatchMode=yes", "ExitOnForwardFailure=yes", "ServerAliveInterval=10", "ServerAliveCountMax=3", "ConnectTimeout=10",
            "StrictHostKeyChecking=yes", $"UserKnownHostsFile={spec.KnownHosts}", "GlobalKnownHostsFile=none", "UpdateHostKeys=no",
            "CheckHostIP=no", "IdentitiesOnly=yes", "IdentityAgent=none", "ForwardAgent=no", "ForwardX11=no", "ControlMaster=no",
            "ControlPath=none", "PermitLocalCommand=no", "Tunnel=no"])
        {
            argv.AddRange(["-o", option]);
        }

        if (spec.BindInterface is { } device)
        {
            argv.AddRange(["-o", $"BindInterface={device}"]);
        }

        argv.AddRange([
            "-i", spec.Identity,
            "-D", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{spec.SocksPort}"),
            "-p", spec.Server.Port.ToString(CultureInfo.InvariantCulture),
            $"{spec.User}@{spec.Server.Address}",
        ]);
        return argv;
    }

    /// <summary>
    /// The host name ssh looks up in the pin file for <paramref name="server"/>: the bare address on port 22,
    /// else <c>[address]:port</c> (OpenSSH's known_hosts convention).
    /// </summary>
    public static string KnownHostsName(IPEndPoint server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var address = server.Address.ToString();
        return server.Port == 22
            ? address
            : string.Create(CultureInfo.InvariantCulture, $"[{address}]:{server.Port}");
    }

    /// <summary>The command line as one line, for the log (no secrets are in it: the key is a path).</summary>
    public static string ToText(IEnumerable<string> argv) => string.Join(' ', argv);
}
