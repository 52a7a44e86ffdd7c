using System.Net;
using Galaxy.Agent.Agent;
using Galaxy.Agent.Config;
using Galaxy.Agent.Routing.Policy;
using Galaxy.Agent.Tunnels.Ssh;

namespace Galaxy.Agent.Tests.Tunnels.Ssh;

public sealed class SshCommandLineTests
{
    private static readonly SshEgressConfig Config = new(
        "nyc", 5, new IPEndPoint(IPAddress.Parse("203.0.113.1"), 2222), "galaxy", "/etc/galaxy/ssh/nyc.key", "/etc/galaxy/ssh/nyc.known_hosts", 4);

    [Fact]
    public void The_argv_is_setpriv_with_the_egress_group_then_ssh_with_only_Galaxy_options()
    {
        var spec = SshDriver.Spec(Config, new EgressSlot(3), 1, viaDevice: null);
        var argv = SshCommandLine.Build(spec);

        Assert.Equal(
        [
            "/usr/bin/setpriv", "--pdeathsig", "KILL", "--regid", "18691", "--clear-groups", "--",
            "/usr/bin/ssh", "-N", "-F", "none",
            "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3",
            "-o", "ConnectTimeout=10", "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=/etc/galaxy/ssh/nyc.known_hosts",
            "-o", "GlobalKnownHostsFile=none", "-o", "UpdateHostKeys=no", "-o", "CheckHostIP=no", "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none", "-o", "ForwardAgent=no", "-o", "ForwardX11=no", "-o", "ControlMaster=no", "-o", "ControlPath=none",
            "-o", "PermitLocalCommand=no", "-o", "Tunnel=no",
            "-i", "/etc/galaxy/ssh/nyc.key", "-D", "127.0.0.1:17025", "-p", "2222", "galaxy@203.0.113.1",
        ], argv);
    }

    [Fact]
    public void Riding_on_a_tunnel_binds_ssh_to_the_tunnel_device()
    {
        var argv = SshCommandLine.Build(SshDriver.Spec(Config, new EgressSlot(0), 0, viaDevice: "gxtun1"), launcher: null);

        Assert.Equal("/usr/bin/ssh", argv[0]);
        var bind = argv.ToList().IndexOf("BindInterface=gxtun1");
        Assert.True(bind > 0 && argv[bind - 1] == "-o", $"expected -o BindInterface=gxtun1, saw: {string.Join(' ', argv)}");
    }

    [Fact]
    public void Each_connection_has_its_own_port_and_each_slot_its_own_group()
    {
        var ports = Enumerable.Range(0, 64).SelectMany(slot => Enumerable.Range(0, SshEgressConfig.MaxConnections)
            .Select(i => SshConnectionSpec.SocksPortOf(new EgressSlot(slot), i))).ToList();

        Assert.Equal(ports.Count, ports.Distinct().Count());
        Assert.True(ports.Max() < 32768, $"expected every SOCKS port below the ephemeral range, the highest is {ports.Max()}");
        Assert.Equal(0x4900u, SshConnectionSpec.GidOf(new EgressSlot(0)));
        Assert.Equal(0x4901u, SshConnectionSpec.GidOf(new EgressSlot(1)));
    }

    [Theory]
    [InlineData("203.0.113.1", 22, "203.0.113.1")]
    [InlineData("203.0.113.1", 2222, "[203.0.113.1]:2222")]
    [InlineData("2001:db8::1", 22, "2001:db8::1")]
    [InlineData("2001:db8::1", 2200, "[2001:db8::1]:2200")]
    public void The_pin_names_the_host_as_ssh_looks_it_up(string address, int port, string expected) =>
        Assert.Equal(expected, SshCommandLine.KnownHostsName(new IPEndPoint(IPAddress.Parse(address), port)));

    [Theory]
    [InlineData("Host key verification failed.", "host-key-mismatch")]
    [InlineData("@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @", "host-key-mismatch")]
    [InlineData("galaxy@203.0.113.1: Permission denied (publickey).", "auth-failed")]
    [InlineData("ssh: connect to host 203.0.113.1 port 2222: Connection refused", "unreachable")]
    [InlineData("ssh: connect to host 203.0.113.1 port 2222: Connection timed out", "unreachable")]
    [InlineData("Timeout, server 203.0.113.1 not responding.", "silent")]
    [InlineData("Warning: Permanently added '[203.0.113.1]:2222' (ED25519) to the list of known hosts.", null)]
    public void Known_ssh_failures_become_a_state(string line, string? state) =>
        Assert.Equal(state, SshLogHints.Classify(line)?.State);
}
