using System.Collections.Immutable;
using Galaxy.Agent.Config;
using Galaxy.Agent.Dhcp;
using Galaxy.Agent.Firewall;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Portal;
using Galaxy.Netlink.NfTables;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Integration.Tests.Dhcp;

/// <summary>
/// The LAN's DHCP as the router runs it: busybox udhcpd in the router's namespace with the configuration
/// <c>galaxy dhcp render</c> writes from <c>[dhcp]</c>, behind the agent's ruleset (applied and verified by
/// FirewallApplier), and busybox udhcpc on a LAN host asking for a lease.
/// </summary>
public sealed class UdhcpdLabTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-udhcpd-lab-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_lan_host_gets_a_lease_naming_the_router_as_gateway_and_dns_when_dhcp_is_enabled()
    {
        var (lab, client) = await StartAsync(enabled: true);
        await using var _ = lab;

        var lease = await RequestLeaseAsync(client);

        Assert.True(lease.Succeeded, $"expected udhcpc to obtain a lease, saw {lease.Describe()}");
        var bound = File.ReadAllText(Path.Combine(_folder, "bound"));
        var ip = System.Net.IPAddress.Parse(bound.Split(' ')[0]["ip=".Length..]);
        var last = ip.GetAddressBytes()[3];
        Assert.True(bound.StartsWith("ip=198.51.100.", StringComparison.Ordinal) && last is >= 2 and <= 254, $"expected an address of the range 198.51.100.2-254, saw {ip}");
        Assert.Contains("router=198.51.100.1 ", bound, StringComparison.Ordinal);
        Assert.Contains("dns=198.51.100.1 ", bound, StringComparison.Ordinal);
        Assert.Contains("subnet=255.255.255.0 ", bound, StringComparison.Ordinal);
        Assert.Contains("lease=600", bound, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_firewall_keeps_a_running_dhcp_server_unreachable_when_dhcp_is_disabled()
    {
        var (lab, client) = await StartAsync(enabled: false);
        await using var _ = lab;

        var lease = await RequestLeaseAsync(client);

        Assert.False(lease.Succeeded, $"expected no lease through the closed firewall, saw {lease.Describe()}");
        Assert.False(File.Exists(Path.Combine(_folder, "bound")), "expected udhcpc never to be bound");
    }

    /// <summary>
    /// router (lan0 198.51.100.1/24) — client (eth0, no address). udhcpd always runs (rendered from an enabled
    /// [dhcp]); the ruleset is built from <paramref name="enabled"/>, so the disabled case proves the firewall, not
    /// a missing server.
    /// </summary>
    private async Task<(Lab Lab, LabHost Client)> StartAsync(bool enabled)
    {
        HostTools.Require(("busybox", "busybox"));
        var lab = Lab.Create();
        try
        {
            if (!(await LabCommand.RunAsync(["busybox", "--list"])).StandardOutput.Split('\n').Contains("udhcpd"))
            {
                Assert.Skip("this busybox has no udhcpd applet");
            }

            var router = await lab.AddHostAsync("router");
            var client = await lab.AddHostAsync("client");
            await lab.ConnectAsync(client, "eth0", router, "lan0");
            await router.AddAddressAsync("lan0", "198.51.100.1/24");

            var config = Path.Combine(_folder, "galaxy.toml");
            File.WriteAllText(config, $"""
                [router]
                lan = ["lan0"]
                wan = "wan0"

                [dhcp]
                enabled = true
                subnet = "198.51.100.0/24"
                lease-time = 600
                lease-file = "{Path.Combine(_folder, "udhcpd.leases")}"

                """);
            var dhcp = ConfigLoader.LoadFile(config).Dhcp;
            File.WriteAllText(dhcp.LeaseFile, "");
            var conf = Path.Combine(_folder, "udhcpd.conf");
            File.WriteAllText(conf, UdhcpdConfig.Render(dhcp, config) + $"pidfile {Path.Combine(_folder, "udhcpd.pid")}\n");

            var inputs = new FirewallInputs(["lan0"], "wan0", 7890, 5353, [], [], enabled ? [dhcp.Interface] : ImmutableArray<string>.Empty);
            using (var nft = NfTablesClient.OpenIn(router.NamespacePath))
            {
                var verification = new FirewallApplier(nft, NullLogger.Instance).Apply(RulesetBuilder.Build(inputs));
                Assert.True(verification.Matches, $"expected the ruleset to verify, saw {verification.Difference}");
            }

            router.Start("busybox", "udhcpd", "-f", conf);
            await router.WaitForListenerAsync(67, udp: true);
            return (lab, client);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private async Task<CommandResult> RequestLeaseAsync(LabHost client)
    {
        var script = Path.Combine(_folder, "udhcpc.script");
        File.WriteAllText(script, $"""
            #!/bin/sh
            if [ "$1" = bound ]; then
              printf 'ip=%s router=%s dns=%s subnet=%s lease=%s\n' "$ip" "$router" "$dns" "$subnet" "$lease" > {Path.Combine(_folder, "bound")}
            fi
            exit 0

            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // -n: exit when no lease; -q: exit once bound; 4 discovers one second apart.
        return await client.RunAsync(["busybox", "udhcpc", "-i", "eth0", "-f", "-n", "-q", "-t", "4", "-T", "1", "-A", "1", "-s", script], timeout: TimeSpan.FromSeconds(30));
    }
}
