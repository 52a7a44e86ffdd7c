using Galaxy.Integration.Tests.Agent;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Portal;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Dhcp;

/// <summary>
/// The router as the image runs it: the published agent with <c>[dhcp] enabled</c>, <c>galaxy dhcp render</c> (the
/// published binary) writing udhcpd's configuration, busybox udhcpd serving it, and the LAN VM's udhcpc getting a
/// lease through the agent's own ruleset.
/// </summary>
public sealed class AgentDhcpTests
{
    // direct is used only when named: here it is the default for every flow.
    private const string Direct = """
        [routing]
        default = "out"

        [[egress]]
        name = "out"
        type = "direct"
        """;

    [Fact]
    public async Task Through_the_agents_ruleset_the_lan_vm_gets_a_lease_from_the_rendered_udhcpd()
    {
        HostTools.Require(("busybox", "busybox"));
        await using var lab = await RouterLab.CreateAsync();
        var work = lab.Lab.WorkDirectory;
        var leases = Path.Combine(work, "udhcpd.leases");
        var config = lab.WriteConfig(Direct, $"""

            [dhcp]
            enabled = true
            subnet = "198.51.100.0/24"
            range-start = "198.51.100.100"
            range-end = "198.51.100.120"
            lease-file = "{leases}"
            """);
        var agent = await lab.StartAgentAsync(config);

        var conf = Path.Combine(work, "udhcpd.conf");
        var render = await lab.Router.RunAsync(Artifacts.GalaxyBinary, "dhcp", "render", "--config", config, "--out", conf);
        Assert.True(render.Succeeded, $"expected galaxy dhcp render to succeed, saw {render.Describe()}");
        File.WriteAllText(leases, "");
        File.AppendAllText(conf, $"pidfile {Path.Combine(work, "udhcpd.pid")}\n");
        lab.Router.Start("busybox", "udhcpd", "-f", conf);
        await lab.Router.WaitForListenerAsync(67, udp: true);

        var bound = Path.Combine(work, "bound");
        var script = Path.Combine(work, "udhcpc.script");
        File.WriteAllText(script, $"#!/bin/sh\n[ \"$1\" = bound ] && printf 'ip=%s router=%s dns=%s\\n' \"$ip\" \"$router\" \"$dns\" > {bound}\nexit 0\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var lease = await lab.LanHost.RunAsync(["busybox", "udhcpc", "-i", "eth0", "-f", "-n", "-q", "-t", "4", "-T", "1", "-A", "1", "-s", script], timeout: TimeSpan.FromSeconds(30));

        Assert.True(lease.Succeeded, $"expected a lease through the agent's ruleset, saw {lease.Describe()}\nagent: {agent.Output()}");
        var text = File.ReadAllText(bound);
        Assert.Matches("^ip=198\\.51\\.100\\.1[01][0-9] |^ip=198\\.51\\.100\\.120 ", text);
        Assert.Contains("router=198.51.100.1 dns=198.51.100.1", text, StringComparison.Ordinal);
    }
}
