using System.Text.RegularExpressions;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Provisioning.OpenVpn;

/// <summary>
/// <c>galaxy vps openvpn</c> as shipped (the NativeAOT binary) against the real OpenVPN 2.6: the server it
/// configures runs in a "vps" namespace, a stock <c>openvpn --config NAME.ovpn</c> client in a "client"
/// namespace connects and pings through the tunnel, and a client whose certificate comes from another
/// CA is turned away. Only documentation addresses: the endpoint is 203.0.113.1, the tunnel 198.51.100.0/24.
/// </summary>
public sealed class VpsOpenVpnServerTests : IDisposable
{
    private const string Endpoint = "203.0.113.1";
    private const string Subnet = "198.51.100.0/24";
    private const string ServerTunnelAddress = "198.51.100.1";
    private const string Completed = "Initialization Sequence Completed";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly string _folder = Directory.CreateTempSubdirectory("galaxy-vps-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task A_stock_client_with_the_generated_profile_connects_and_pings_the_server_through_the_tunnel(string proto)
    {
        await using var lab = Lab.Create();
        var out1 = await GenerateAsync("a", proto);
        var profile = Path.Combine(out1, "home.ovpn");

        var check = await LabCommand.RunAsync([Artifacts.GalaxyBinary, "ovpn", "check", profile], cancellationToken: Token);
        Assert.True(check.ExitCode == 0 && check.StandardOutput.StartsWith($"{profile}: ok (0 errors, 0 warnings)", StringComparison.Ordinal), check.Describe());
        var syntax = await LabCommand.RunAsync(["bash", "-n", Path.Combine(out1, "install.sh")], cancellationToken: Token);
        Assert.True(syntax.Succeeded, syntax.Describe());

        var (vps, client) = await BuildAsync(lab);
        var server = await StartServerAsync(vps, out1, proto);
        var openvpn = StartClient(client, profile);

        await openvpn.WaitForOutputAsync(Completed, Deadline);
        await server.WaitForOutputAsync("[home] Peer Connection Initiated", Deadline);
        Assert.Contains("VERIFY X509NAME OK: CN=home-server", openvpn.StandardOutput, StringComparison.Ordinal);
        await openvpn.WaitForOutputAsync("Data Channel: cipher 'AES-256-GCM'", Deadline); // printed just after Completed

        var ping = await PingAsync(client, ServerTunnelAddress);
        Assert.True(ping.Succeeded, $"expected {ServerTunnelAddress} to answer through the tunnel; {ping.Describe()}\nclient: {openvpn.Output()}");
        var route = await client.RunCheckedAsync("ip", "-4", "route", "get", ServerTunnelAddress);
        Assert.Contains("dev tun", route.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_certificate_signed_by_another_CA_is_refused()
    {
        await using var lab = Lab.Create();
        var ours = await GenerateAsync("ours");
        var theirs = await GenerateAsync("theirs");

        // Our profile (our CA, our tls-crypt key) with the other run's client certificate and key.
        var profile = File.ReadAllText(Path.Combine(ours, "home.ovpn"));
        var foreign = File.ReadAllText(Path.Combine(theirs, "home.ovpn"));
        foreach (var tag in new[] { "cert", "key" })
        {
            var block = Block(tag).Match(foreign).Value;
            Assert.False(string.IsNullOrEmpty(block), $"no <{tag}> block in the other profile");
            profile = Block(tag).Replace(profile, block.Replace("$", "$$", StringComparison.Ordinal));
        }

        Assert.NotEqual(File.ReadAllText(Path.Combine(ours, "home.ovpn")), profile);
        var mixed = Path.Combine(_folder, "mixed.ovpn");
        File.WriteAllText(mixed, profile);

        var (vps, client) = await BuildAsync(lab);
        var server = await StartServerAsync(vps, ours);
        var openvpn = StartClient(client, mixed, "--hand-window", "4");

        await server.WaitForOutputAsync("VERIFY ERROR: depth=0, error=unable to get local issuer certificate: CN=home", Deadline);
        await server.WaitForOutputAsync("TLS Error: TLS handshake failed", Deadline);
        await openvpn.WaitForOutputAsync("TLS Error: TLS key negotiation failed to occur within 4 seconds", Deadline);
        Assert.DoesNotContain(Completed, openvpn.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("Peer Connection Initiated", server.StandardOutput, StringComparison.Ordinal);
        var links = await client.LinkNamesAsync();
        Assert.DoesNotContain("tun0", links);
    }

    private async Task<string> GenerateAsync(string name, string proto = "udp")
    {
        var directory = Path.Combine(_folder, name);
        var result = await LabCommand.RunAsync(
            [Artifacts.GalaxyBinary, "vps", "openvpn", "--name", "home", "--endpoint", Endpoint, "--subnet", Subnet, "--proto", proto, "--out", directory],
            cancellationToken: Token);
        Assert.True(result.ExitCode == 0, result.Describe());
        return directory;
    }

    private static async Task<(LabHost Vps, LabHost Client)> BuildAsync(Lab lab)
    {
        var vps = await lab.AddHostAsync("vps");
        var client = await lab.AddHostAsync("client");
        await lab.ConnectAsync(client, "eth0", vps, "eth0");
        await vps.AddAddressAsync("eth0", $"{Endpoint}/24");
        await client.AddAddressAsync("eth0", "203.0.113.2/24");
        return (vps, client);
    }

    /// <summary>The server as install.sh runs it: from its folder, with server.conf unchanged.</summary>
    private static async Task<LabProcess> StartServerAsync(LabHost vps, string directory, string proto = "udp")
    {
        var server = vps.Start("openvpn", "--cd", directory, "--config", "server.conf");
        await server.WaitForOutputAsync(Completed, Deadline);
        await vps.WaitForListenerAsync(1194, udp: proto == "udp", Deadline);
        return server;
    }

    /// <summary>A stock client; routes and DNS the server pushes are filtered so the namespace is left alone.</summary>
    private static LabProcess StartClient(LabHost client, string profile, params string[] extra) =>
        client.Start(["openvpn", "--config", profile, "--route-noexec", "--pull-filter", "ignore", "redirect-gateway", "--pull-filter", "ignore", "dhcp-option", .. extra]);

    private static async Task<CommandResult> PingAsync(LabHost host, string address)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var ping = await host.RunAsync("ping", "-c", "1", "-W", "1", address);
            if (ping.Succeeded || DateTime.UtcNow > until)
            {
                return ping;
            }
        }
    }

    private static Regex Block(string tag) => new($"<{tag}>\n.*?</{tag}>\n", RegexOptions.Singleline | RegexOptions.CultureInvariant);
}
