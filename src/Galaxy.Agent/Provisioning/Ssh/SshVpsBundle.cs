using System.Collections.Immutable;
using System.Globalization;
using Galaxy.Agent.Provisioning.OpenVpn;
using Galaxy.Agent.Tunnels.Ssh;

namespace Galaxy.Agent.Provisioning.Ssh;

/// <summary>
/// Everything <c>galaxy vps ssh</c> writes, rendered from the spec and two key pairs (pure: tests pass
/// fixed keys). <c>server/</c> goes to the VPS: a dedicated sshd's config, its host key, the router's public key
/// restricted to forwarding, and install.sh. <c>router/</c> stays home: the identity key, the host-key pin and
/// the <c>[[egress]]</c> snippet.
/// </summary>
/// <remarks>
/// Why a dedicated sshd instead of a drop-in for the VPS's own: the host key the router pins is made here,
/// before the server exists, and <c>HostKey</c> is global in sshd (not allowed under <c>Match</c>): a drop-in
/// would replace the identity the administrator's own ssh clients know. A separate instance on its own port
/// with its own host key leaves the administrator's sshd untouched, and everything it allows is in one file.
/// </remarks>
internal sealed class SshVpsBundle
{
    public const string ServerFolder = "server";
    public const string RouterFolder = "router";
    public const string HostKeyFile = "ssh_host_ed25519_key";
    public const string SshdConfigFile = "sshd_config";
    public const string AuthorizedKeysFile = "authorized_keys";
    public const string InstallScriptFile = "install.sh";

    /// <summary>Where the snippet expects the router's files.</summary>
    public const string RouterKeyDirectory = "/etc/galaxy/ssh";

    private SshVpsBundle(SshVpsSpec spec, ImmutableArray<VpsFile> files)
    {
        Spec = spec;
        Files = files;
    }

    public SshVpsSpec Spec { get; }

    /// <summary>The files in the order they are written and listed; names are relative (<c>server/…</c>, <c>router/…</c>).</summary>
    public ImmutableArray<VpsFile> Files { get; }

    public static SshVpsBundle Create(SshVpsSpec spec) => Render(
        spec,
        SshKeyPair.Generate($"galaxy-{spec.Name}-router"),
        SshKeyPair.Generate($"galaxy-{spec.Name}-host"));

    public static SshVpsBundle Render(SshVpsSpec spec, SshKeyPair client, SshKeyPair host)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(host);
        var n = spec.Name;
        return new SshVpsBundle(spec,
        [
            new($"{ServerFolder}/{HostKeyFile}", host.PrivateKey, VpsFile.Secret, "the server's host key (the router pins its public half)"),
            new($"{ServerFolder}/{HostKeyFile}.pub", host.PublicKey, VpsFile.Public, "its public half"),
            new($"{ServerFolder}/{AuthorizedKeysFile}", AuthorizedKeys(client), VpsFile.Public, "the router's public key, restricted to port forwarding"),
            new($"{ServerFolder}/{SshdConfigFile}", SshdConfig(spec), VpsFile.Public, "the dedicated, forwarding-only sshd's configuration"),
            new($"{ServerFolder}/{InstallScriptFile}", InstallScript(spec), VpsFile.Executable, "run as root on the VPS: account, files, systemd unit"),
            new($"{RouterFolder}/{n}.key", client.PrivateKey, VpsFile.Secret, $"the router's identity key (to {RouterKeyDirectory}/, mode 0600)"),
            new($"{RouterFolder}/{n}.key.pub", client.PublicKey, VpsFile.Public, "its public half"),
            new($"{RouterFolder}/{n}.known_hosts", KnownHosts(spec, host), VpsFile.Public, $"the pinned host key (to {RouterKeyDirectory}/)"),
            new($"{RouterFolder}/{n}.egress.toml", EgressSnippet(spec), VpsFile.Public, "the [[egress]] to add to /etc/galaxy/galaxy.toml"),
        ]);
    }

    /// <summary>The router's key, usable for nothing but forwarding, even if the sshd config were loosened.</summary>
    public static string AuthorizedKeys(SshKeyPair client) =>
        $"restrict,port-forwarding,command=\"/bin/false\" {client.PublicKey.Trim()}\n";

    /// <summary>The pin: the host name ssh looks up for the endpoint, and the host key.</summary>
    public static string KnownHosts(SshVpsSpec spec, SshKeyPair host) =>
        $"{SshCommandLine.KnownHostsName(spec.Endpoint)} {host.PublicKeyBare}\n";

    public static string SshdConfig(SshVpsSpec spec) => string.Create(CultureInfo.InvariantCulture, $"""
        # Galaxy SSH egress "{spec.Name}" (galaxy vps ssh): a dedicated sshd that only forwards TCP for one account.
        # Run by {spec.UnitName} as: /usr/sbin/sshd -D -f {spec.InstallDirectory}/{SshdConfigFile}
        Port {spec.Endpoint.Port}
        HostKey {spec.InstallDirectory}/{HostKeyFile}
        PidFile /run/galaxy-ssh-{spec.Name}.pid
        AuthorizedKeysFile {spec.InstallDirectory}/{AuthorizedKeysFile}
        AllowUsers {spec.User}
        AuthenticationMethods publickey
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        HostbasedAuthentication no
        PermitRootLogin no
        PermitEmptyPasswords no
        UsePAM no
        # Forwarding to anywhere, from the client's side only; nothing else.
        AllowTcpForwarding local
        PermitOpen any
        GatewayPorts no
        AllowStreamLocalForwarding no
        PermitTunnel no
        AllowAgentForwarding no
        X11Forwarding no
        PermitTTY no
        PermitUserRC no
        PermitUserEnvironment no
        ForceCommand /bin/false
        # Dead routers are noticed; a few pending logins at most.
        ClientAliveInterval 15
        ClientAliveCountMax 3
        LoginGraceTime 20
        MaxAuthTries 2
        MaxStartups 10:30:60
        LogLevel VERBOSE

        """);

    public static string InstallScript(SshVpsSpec spec) => string.Create(CultureInfo.InvariantCulture, $$"""
        #!/bin/sh
        # Installs the Galaxy SSH egress "{{spec.Name}}" on this VPS: the account {{spec.User}} (no shell, no password,
        # forwarding only) and a dedicated sshd on port {{spec.Endpoint.Port}} with its own host key. Run as root from
        # the folder this script is in. The administrator's own sshd is not touched.
        set -eu
        cd "$(dirname "$0")"
        if [ "$(id -u)" != 0 ]; then echo "install.sh: run as root" >&2; exit 1; fi
        if [ ! -x /usr/sbin/sshd ]; then echo "install.sh: /usr/sbin/sshd is missing (install openssh-server)" >&2; exit 1; fi
        dir={{spec.InstallDirectory}}

        # The account: a system user with no home, no shell and no password. '*' rather than the locked '!':
        # sshd without PAM refuses locked accounts even for key authentication.
        if ! id -u {{spec.User}} >/dev/null 2>&1; then
          useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin {{spec.User}}
        fi
        usermod -p '*' {{spec.User}}

        install -d -m 0755 "$dir"
        install -m 0600 {{HostKeyFile}} "$dir/{{HostKeyFile}}"
        install -m 0644 {{HostKeyFile}}.pub {{AuthorizedKeysFile}} {{SshdConfigFile}} "$dir/"
        mkdir -p /run/sshd
        /usr/sbin/sshd -t -f "$dir/{{SshdConfigFile}}"

        if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
          cat > /etc/systemd/system/{{spec.UnitName}} <<UNIT
        [Unit]
        Description=Galaxy SSH egress {{spec.Name}} (forwarding-only sshd on port {{spec.Endpoint.Port}})
        After=network.target

        [Service]
        ExecStartPre=/usr/sbin/sshd -t -f $dir/{{SshdConfigFile}}
        ExecStart=/usr/sbin/sshd -D -f $dir/{{SshdConfigFile}}
        RuntimeDirectory=sshd
        RuntimeDirectoryPreserve=yes
        Restart=on-failure

        [Install]
        WantedBy=multi-user.target
        UNIT
          systemctl daemon-reload
          systemctl enable --now {{spec.UnitName}}
          echo "install.sh: {{spec.UnitName}} is running; open TCP port {{spec.Endpoint.Port}} in the VPS's firewall"
        else
          /usr/sbin/sshd -f "$dir/{{SshdConfigFile}}"
          echo "install.sh: sshd started (no systemd: start it at boot with /usr/sbin/sshd -f $dir/{{SshdConfigFile}})"
        fi

        """);

    public static string EgressSnippet(SshVpsSpec spec) => string.Create(CultureInfo.InvariantCulture, $"""
        # The SSH egress "{spec.Name}" made by galaxy vps ssh. Copy {spec.Name}.key (mode 0600) and {spec.Name}.known_hosts
        # to {RouterKeyDirectory}/ on the router, then add this to /etc/galaxy/galaxy.toml.
        [[egress]]
        name = "{spec.EgressName}"
        type = "ssh"
        endpoint = "{FormatEndpoint(spec.Endpoint)}"
        user = "{spec.User}"
        identity = "{RouterKeyDirectory}/{spec.Name}.key"
        known-hosts = "{RouterKeyDirectory}/{spec.Name}.known_hosts"
        connections = {Config.SshEgressConfig.DefaultConnections}

        """);

    private static string FormatEndpoint(System.Net.IPEndPoint endpoint) =>
        endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"[{endpoint.Address}]:{endpoint.Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{endpoint.Address}:{endpoint.Port}");

    /// <summary>Writes the files under <paramref name="directory"/>; refuses to overwrite keys without <paramref name="force"/>.</summary>
    public ImmutableArray<string> WriteTo(string directory, bool force)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the output's file modes (0600 for keys) need a Unix file system");
        }

        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new VpsSshException($"{full} is a file, not a folder");
        }

        if (!force)
        {
            var existing = Files.Select(f => Path.Combine(full, f.Name)).Where(File.Exists).ToArray();
            if (existing.Length > 0)
            {
                throw new VpsSshException(
                    $"{full} already holds {string.Join(", ", existing.Select(p => Path.GetRelativePath(full, p)))}: refusing to overwrite keys (pass --force to replace them)");
            }
        }

        try
        {
            var folderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            var written = ImmutableArray.CreateBuilder<string>(Files.Length);
            foreach (var file in Files)
            {
                var path = Path.Combine(full, file.Name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!, folderMode);
                var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
                try
                {
                    var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = file.Mode };
                    using (var stream = new FileStream(temporary, options))
                    using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
                    {
                        writer.Write(file.Content);
                    }

                    File.SetUnixFileMode(temporary, file.Mode);
                    File.Move(temporary, path, overwrite: true);
                }
                finally
                {
                    if (File.Exists(temporary))
                    {
                        File.Delete(temporary);
                    }
                }

                written.Add(path);
            }

            return written.MoveToImmutable();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VpsSshException($"writing into {full}: {e.Message}", e);
        }
    }
}
