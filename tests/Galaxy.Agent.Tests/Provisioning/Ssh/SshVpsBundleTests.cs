using System.Net;
using Galaxy.Agent.Cli;
using Galaxy.Agent.Provisioning.Ssh;

namespace Galaxy.Agent.Tests.Provisioning.Ssh;

public sealed class SshVpsBundleTests : IDisposable
{
    private static readonly SshKeyPair Client = new("-----BEGIN OPENSSH PRIVATE KEY-----\nclient\n-----END OPENSSH PRIVATE KEY-----\n", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIClient galaxy-nyc-router\n");
    private static readonly SshKeyPair Host = new("-----BEGIN OPENSSH PRIVATE KEY-----\nhost\n-----END OPENSSH PRIVATE KEY-----\n", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHost galaxy-nyc-host\n");
    private static readonly SshVpsSpec Spec = new("nyc", new IPEndPoint(IPAddress.Parse("203.0.113.1"), 2222), "galaxy");

    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-vpsssh-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void The_sshd_config_allows_only_key_logins_of_one_account_that_can_only_forward()
    {
        Assert.Equal("""
            # Galaxy SSH egress "nyc" (galaxy vps ssh): a dedicated sshd that only forwards TCP for one account.
            # Run by galaxy-ssh-nyc.service as: /usr/sbin/sshd -D -f /etc/galaxy-ssh/nyc/sshd_config
            Port 2222
            HostKey /etc/galaxy-ssh/nyc/ssh_host_ed25519_key
            PidFile /run/galaxy-ssh-nyc.pid
            AuthorizedKeysFile /etc/galaxy-ssh/nyc/authorized_keys
            AllowUsers galaxy
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

            """, SshVpsBundle.SshdConfig(Spec));
    }

    [Fact]
    public void The_router_gets_the_pin_the_key_restricted_on_the_server_and_the_egress_snippet()
    {
        Assert.Equal("[203.0.113.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHost\n", SshVpsBundle.KnownHosts(Spec, Host));
        Assert.Equal("restrict,port-forwarding,command=\"/bin/false\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIClient galaxy-nyc-router\n", SshVpsBundle.AuthorizedKeys(Client));
        Assert.Equal("""
            # The SSH egress "nyc" made by galaxy vps ssh. Copy nyc.key (mode 0600) and nyc.known_hosts
            # to /etc/galaxy/ssh/ on the router, then add this to /etc/galaxy/galaxy.toml.
            [[egress]]
            name = "nyc"
            type = "ssh"
            endpoint = "203.0.113.1:2222"
            user = "galaxy"
            identity = "/etc/galaxy/ssh/nyc.key"
            known-hosts = "/etc/galaxy/ssh/nyc.known_hosts"
            connections = 2

            """, SshVpsBundle.EgressSnippet(Spec));
    }

    [Fact]
    public void Install_makes_a_passwordless_shell_less_account_and_checks_the_config_before_starting()
    {
        var script = SshVpsBundle.InstallScript(Spec);

        Assert.StartsWith("#!/bin/sh\n", script, StringComparison.Ordinal);
        Assert.Contains("useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin galaxy", script, StringComparison.Ordinal);
        Assert.Contains("usermod -p '*' galaxy", script, StringComparison.Ordinal);
        Assert.Contains("install -m 0600 ssh_host_ed25519_key \"$dir/ssh_host_ed25519_key\"", script, StringComparison.Ordinal);
        Assert.Contains("/usr/sbin/sshd -t -f \"$dir/sshd_config\"", script, StringComparison.Ordinal);
        Assert.Contains("systemctl enable --now galaxy-ssh-nyc.service", script, StringComparison.Ordinal);
        Assert.Contains("\nUNIT\n", script, StringComparison.Ordinal);
    }

    [Fact]
    public void The_files_are_written_secret_ones_0600_and_not_overwritten_without_force()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var bundle = SshVpsBundle.Render(Spec, Client, Host);
        var written = bundle.WriteTo(_folder, force: false);

        Assert.Equal(
        [
            "server/ssh_host_ed25519_key", "server/ssh_host_ed25519_key.pub", "server/authorized_keys", "server/sshd_config", "server/install.sh",
            "router/nyc.key", "router/nyc.key.pub", "router/nyc.known_hosts", "router/nyc.egress.toml",
        ], written.Select(p => Path.GetRelativePath(_folder, p)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, "router/nyc.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, "server/ssh_host_ed25519_key")));
        Assert.True(File.GetUnixFileMode(Path.Combine(_folder, "server/install.sh")).HasFlag(UnixFileMode.UserExecute));

        var e = Assert.Throws<VpsSshException>(() => bundle.WriteTo(_folder, force: false));
        Assert.Contains("--force", e.Message, StringComparison.Ordinal);
        bundle.WriteTo(_folder, force: true);
    }

    [Fact]
    public void Bad_arguments_are_each_reported()
    {
        var error = new StringWriter();
        Assert.Null(VpsSshCommand.Validate("bad name", "vps.example.com", "Root", error));
        var text = error.ToString();
        Assert.Contains("--name", text, StringComparison.Ordinal);
        Assert.Contains("--endpoint 'vps.example.com'", text, StringComparison.Ordinal);
        Assert.Contains("--user 'Root'", text, StringComparison.Ordinal);

        var spec = VpsSshCommand.Validate("nyc", "203.0.113.1", "galaxy", new StringWriter());
        Assert.Equal("203.0.113.1:2222", spec!.Endpoint.ToString());
    }

    [Fact]
    public void A_generated_pair_is_an_ed25519_key_ssh_keygen_made()
    {
        if (!File.Exists("/usr/bin/ssh-keygen"))
        {
            return;
        }

        var pair = SshKeyPair.Generate("galaxy-test");
        Assert.StartsWith("-----BEGIN OPENSSH PRIVATE KEY-----", pair.PrivateKey, StringComparison.Ordinal);
        Assert.StartsWith("ssh-ed25519 AAAA", pair.PublicKey, StringComparison.Ordinal);
        Assert.EndsWith(" galaxy-test\n", pair.PublicKey, StringComparison.Ordinal);
    }
}
