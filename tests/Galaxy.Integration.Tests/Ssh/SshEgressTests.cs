using System.Net;
using System.Text.RegularExpressions;
using Galaxy.Integration.Tests.Agent;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Ssh;

/// <summary>
/// The SSH egress end to end: the published agent in the router lab, a real sshd (Debian's) in <c>inet</c>
/// configured from <c>galaxy vps ssh</c>.
/// </summary>
public sealed partial class SshEgressTests
{
    private static readonly TimeSpan UpTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_LAN_request_leaves_through_the_SSH_server_and_UDP_is_refused()
    {
        await using var lab = await RouterLab.CreateAsync();
        await using var vps = await SshVps.CreateAsync(lab);
        await vps.StartAsync();
        await lab.StartWebServerAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(vps.Egress()));
        await agent.WaitForOutputAsync($"egress {vps.Name} is UP", UpTimeout);

        var wan = await lab.Router.CaptureAsync("wan0");
        var body = await lab.CurlAsync($"http://{RouterLab.WebServer}/");
        Assert.True(body is not null, $"expected the LAN request to be answered through the SSH egress | {agent.Output()}");

        // sshd opens the upstream connection itself, inside inet: the web server never sees the router.
        var seen = YouAre().Match(body).Groups[1].Value;
        Assert.True(seen is not (RouterLab.RouterWanAddress or RouterLab.LanAddress),
            $"expected the web server to see the SSH server's side (an address of inet), saw {seen}");

        // On the WAN only the ssh connection to the pinned endpoint: the request itself is inside it.
        var packets = await wan.StopAsync();
        var foreign = SshLeaks(packets);
        Assert.True(foreign.Count == 0, $"expected only ssh to {RouterLab.Vps}:{SshVps.Port} on the WAN, saw: {string.Join("; ", foreign.Take(10))}");
        Assert.Contains(packets, p => p.IsTcp && p.Destination?.ToString() == RouterLab.Vps && p.DestinationPort == SshVps.Port && p.PayloadLength > 0);

        // UDP: refused (ICMP port unreachable to the client), never sent anywhere.
        var lanCapture = await lab.Router.CaptureAsync("lan0", "icmp");
        var wanUdp = await lab.Router.CaptureAsync("wan0", "udp");
        await lab.LanHost.RunAsync(["socat", "-u", "STDIN", $"UDP4-SENDTO:{RouterLab.WebServer}:5999"], stdin: "udp through ssh?\n");
        await lanCapture.WaitForAsync(p => p.Protocol == System.Net.Sockets.ProtocolType.Icmp && p.Destination?.ToString() == RouterLab.LanAddress,
            TimeSpan.FromSeconds(5), "an ICMP unreachable to the LAN client for its UDP datagram");
        await lanCapture.StopAsync();
        var udpOut = (await wanUdp.StopAsync()).Where(p => p.Source?.ToString() == RouterLab.RouterWanAddress).ToList();
        Assert.True(udpOut.Count == 0, $"expected no UDP from the router on the WAN, saw: {string.Join("; ", udpOut)}");
    }

    [Fact]
    public async Task With_its_server_gone_the_egress_refuses_flows_leaks_nothing_and_comes_back_by_itself()
    {
        await using var lab = await RouterLab.CreateAsync();
        await using var vps = await SshVps.CreateAsync(lab);
        await vps.StartAsync();
        await lab.StartWebServerAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(vps.Egress()));
        await agent.WaitForOutputAsync($"egress {vps.Name} is UP", UpTimeout);
        Assert.NotNull(await lab.CurlAsync($"http://{RouterLab.WebServer}/"));

        // The server goes away and the router's ssh clients are killed (kill -9, by pid): nothing carries the egress.
        await vps.Sshd!.StopAsync();
        var children = await lab.Router.RunCheckedAsync("ps", "-o", "pid=,comm=", "--ppid", agent.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var ssh = children.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length == 2 && p[1].Trim() == "ssh").Select(p => p[0]).ToList();
        Assert.True(ssh.Count == 2, $"expected the agent's 2 ssh clients (connections = 2), saw: {children.StandardOutput}");
        await lab.Router.RunCheckedAsync(["kill", "-9", .. ssh]);
        await agent.WaitForOutputAsync($"egress {vps.Name} is DOWN", TimeSpan.FromSeconds(10));

        var wan = await lab.Router.CaptureAsync("wan0");
        Assert.Null(await lab.CurlAsync($"http://{RouterLab.WebServer}/", 1.5));
        await LeakProbes.SendAsync(lab.LanHost);
        var leaks = SshLeaks(await wan.StopAsync());
        Assert.True(leaks.Count == 0, $"expected nothing on the WAN but ssh's attempts to {RouterLab.Vps}:{SshVps.Port}, saw: {string.Join("; ", leaks.Take(10))}");

        // The server is back: the supervisor's next attempt brings the egress up without anyone's help.
        await vps.StartAsync();
        await agent.WaitForOutputAsync($"egress {vps.Name} is UP", TimeSpan.FromSeconds(45), occurrences: 2);
        Assert.True(await lab.CurlAsync($"http://{RouterLab.WebServer}/") is not null, $"expected the egress to carry flows again | {agent.Output()}");
    }

    [Fact]
    public async Task A_server_with_another_host_key_is_refused_and_the_status_says_why()
    {
        await using var lab = await RouterLab.CreateAsync();
        await using var vps = await SshVps.CreateAsync(lab);
        await using var impostor = await SshVps.CreateAsync(lab, "impostor");
        await impostor.StartAsync(); // the same address and port, another host key
        await lab.StartWebServerAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(vps.Egress().Replace($"user = \"{vps.User}\"", $"user = \"{impostor.User}\"", StringComparison.Ordinal)));

        await agent.WaitForOutputAsync("host key verification failed", TimeSpan.FromSeconds(20));
        Assert.DoesNotContain($"egress {vps.Name} is UP", agent.StandardError + agent.StandardOutput, StringComparison.Ordinal);
        Assert.Null(await lab.CurlAsync($"http://{RouterLab.WebServer}/", 1.5));
        var status = await lab.Router.RunAsync(Support.Artifacts.GalaxyBinary, "egresses", "--socket", lab.ControlSocket);
        Assert.True(status.StandardOutput.Contains("host-key-mismatch", StringComparison.Ordinal),
            $"expected galaxy egresses to show host-key-mismatch, saw: {status.Describe()}");
    }

    [Fact]
    public async Task SSH_via_an_OpenVPN_egress_reaches_the_server_from_the_tunnel_address_and_stops_with_the_tunnel()
    {
        await using var lab = await RouterLab.CreateAsync();
        var profile = await lab.StartVpsAsync();
        await using var vps = await SshVps.CreateAsync(lab);
        await vps.StartAsync();
        await lab.StartWebServerAsync();

        // The ssh egress first, so that the default group uses it; it rides on "vps", the OpenVPN tunnel.
        var config = lab.WriteConfig(vps.Egress("via = \"vps\"") + "\n" + RouterLab.OpenVpnEgress(profile));
        var agent = await lab.StartAgentAsync(config);
        await agent.WaitForOutputAsync($"egress {vps.Name} is UP", TimeSpan.FromSeconds(60));

        var wan = await lab.Router.CaptureAsync("wan0");
        Assert.NotNull(await lab.CurlAsync($"http://{RouterLab.WebServer}/"));
        var packets = await wan.StopAsync();
        var direct = packets.Where(p => p.IsTcp && p.DestinationPort == SshVps.Port).ToList();
        Assert.True(direct.Count == 0, $"expected ssh only inside the tunnel, saw on the WAN: {string.Join("; ", direct.Take(5))}");

        // sshd saw the OpenVPN client's tunnel address (10.8.0.x), not the router's WAN address.
        var sshd = vps.Sshd!.StandardError + vps.Sshd.StandardOutput;
        var from = AcceptedFrom().Matches(sshd).Select(m => m.Groups[1].Value).ToList();
        Assert.True(from.Count > 0 && from.TrueForAll(a => a.StartsWith("10.8.0.", StringComparison.Ordinal)),
            $"expected sshd to accept the router only from its tunnel address 10.8.0.x, saw: {string.Join(", ", from)} | {sshd}");

        // The tunnel goes: the ssh egress goes with it (fail closed), its packets do not fall back to the WAN.
        var wan2 = await lab.Router.CaptureAsync("wan0");
        await lab.VpsServer!.StopAsync();
        await agent.WaitForOutputAsync($"egress {vps.Name} is DOWN", TimeSpan.FromSeconds(30));
        Assert.Null(await lab.CurlAsync($"http://{RouterLab.WebServer}/", 1.5));
        var after = (await wan2.StopAsync()).Where(p => p.IsTcp && p.DestinationPort == SshVps.Port).ToList();
        Assert.True(after.Count == 0, $"expected no ssh on the WAN once the tunnel is gone, saw: {string.Join("; ", after.Take(5))}");
    }

    /// <summary>What the router sent on the WAN besides ARP, DHCP and TCP to the pinned SSH endpoint.</summary>
    private static List<CapturedPacket> SshLeaks(IEnumerable<CapturedPacket> packets) =>
    [
        .. packets.Where(p => p.Source is { } source
            && source.ToString() is not (RouterLab.UplinkAddress or RouterLab.WebServer or RouterLab.DnsServer or RouterLab.Vps)
            && !(p.IsUdp && (p.SourcePort, p.DestinationPort) is (68, 67))
            && !(p.IsTcp && p.Destination?.ToString() == RouterLab.Vps && p.DestinationPort == SshVps.Port && source.Equals(IPAddress.Parse(RouterLab.RouterWanAddress)))),
    ];

    [GeneratedRegex(@"you are (\S+)")]
    private static partial Regex YouAre();

    [GeneratedRegex(@"Accepted publickey for \S+ from (\S+)")]
    private static partial Regex AcceptedFrom();
}
