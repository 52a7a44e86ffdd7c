using System.Globalization;
using System.Net;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>
/// The router's world: <c>lan</c> (a VM, 198.51.100.2) — <c>router</c> (lan0 198.51.100.1, wan0 192.0.2.1)
/// — <c>inet</c> (the uplink 192.0.2.2, and "internet" hosts on its loopback: an HTTP server at
/// 203.0.113.10, a DNS server at 203.0.113.53, a VPS at 203.0.113.1). Every address is a documentation
/// address inside namespaces this lab created. The agent runs in <c>router</c> as the published binary.
/// </summary>
internal sealed class RouterLab : IAsyncDisposable
{
    public const string LanAddress = "198.51.100.2";
    public const string RouterLanAddress = "198.51.100.1";
    public const string RouterWanAddress = "192.0.2.1";
    public const string UplinkAddress = "192.0.2.2";
    public const string WebServer = "203.0.113.10";
    public const string DnsServer = "203.0.113.53";
    public const string Vps = "203.0.113.1";
    public const string SecondVps = "203.0.113.2";

    /// <summary>A second web host, in the other half of 203.0.113.0/24 (the GeoIP fixture puts it in another country).</summary>
    public const string FarWebServer = "203.0.113.140";

    private RouterLab(Lab lab, LabHost lanHost, LabHost router, LabHost inet)
    {
        Lab = lab;
        LanHost = lanHost;
        Router = router;
        Inet = inet;
    }

    public Lab Lab { get; }

    public LabHost LanHost { get; }

    public LabHost Router { get; }

    public LabHost Inet { get; }

    public LabProcess? Agent { get; private set; }

    public static async Task<RouterLab> CreateAsync()
    {
        var lab = Lab.Create();
        try
        {
            var lan = await lab.AddHostAsync("lan");
            var router = await lab.AddHostAsync("router");
            var inet = await lab.AddHostAsync("inet");
            await lab.ConnectAsync(lan, "eth0", router, "lan0");
            await lab.ConnectAsync(router, "wan0", inet, "eth0");
            await lan.AddAddressAsync("eth0", LanAddress + "/24");
            await lan.AddRouteAsync("default", "via", RouterLanAddress);
            await router.AddAddressAsync("lan0", RouterLanAddress + "/24");
            await router.AddAddressAsync("wan0", RouterWanAddress + "/24");
            await router.AddRouteAsync("default", "via", UplinkAddress);
            await inet.AddAddressAsync("eth0", UplinkAddress + "/24");
            foreach (var address in (string[])[WebServer, DnsServer, Vps, SecondVps, FarWebServer])
            {
                await inet.AddAddressAsync("lo", address + "/32");
            }

            await inet.AddRouteAsync("198.51.100.0/24", "via", RouterWanAddress);

            // The lab's internet speaks IPv4 only, so every IPv6 packet on the WAN link is the router's.
            await inet.SetSysctlAsync("net.ipv6.conf.eth0.disable_ipv6", "1");
            return new RouterLab(lab, lan, router, inet);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>A tiny HTTP server in <c>inet</c> (by default on 203.0.113.10:80) that answers with the client's address.</summary>
    public async Task StartWebServerAsync(string address = WebServer, int port = 80)
    {
        var script = Path.Combine(Lab.WorkDirectory, "http.sh");
        File.WriteAllText(script, "#!/bin/sh\nread -r line\nprintf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\nyou are %s\\n' \"$SOCAT_PEERADDR\"\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        }
        Inet.Start("socat", $"TCP-LISTEN:{port},bind={address},fork,reuseaddr", $"EXEC:{script}");
        // Wait for this address's listener (another web server may already listen on the same port).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await Inet.RunCheckedAsync("ss", "-H", "-ltn", "src", $"{address}:{port}")).StandardOutput.Trim().Length == 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new LabException($"the web server did not listen on {address}:{port} within 10 s");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Makes the VPS with the published <c>galaxy vps openvpn</c> (once) and starts its OpenVPN server in
    /// <c>inet</c>, answering from 203.0.113.1 (the namespace has several addresses). Returns the profile.
    /// </summary>
    public async Task<string> StartVpsAsync(string? pushDns = null, string endpointHost = Vps)
    {
        var directory = Path.Combine(Lab.WorkDirectory, "vps");
        if (!Directory.Exists(directory))
        {
            string[] dns = pushDns is null ? [] : ["--dns", pushDns];
            var made = await Inet.RunAsync([Artifacts.GalaxyBinary, "vps", "openvpn", "--name", "vps", "--endpoint", endpointHost + ":1194", "--out", directory, .. dns]);
            if (made.ExitCode != 0)
            {
                throw new LabException($"galaxy vps openvpn failed: {made.Describe()}");
            }
        }

        VpsServer = Inet.Start("openvpn", "--cd", directory, "--config", "server.conf", "--local", Vps, "--verb", "3");
        await VpsServer.WaitForOutputAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(15));
        return Path.Combine(directory, "vps.ovpn");
    }

    /// <summary>
    /// A second, independent VPS (its own CA) on 203.0.113.2, tunnel subnet 10.9.0.0/24, port 1195. Returns the profile.
    /// </summary>
    public async Task<string> StartSecondVpsAsync()
    {
        var directory = Path.Combine(Lab.WorkDirectory, "vps2");
        if (!Directory.Exists(directory))
        {
            var made = await Inet.RunAsync(Artifacts.GalaxyBinary, "vps", "openvpn", "--name", "vps2", "--endpoint", SecondVps + ":1195", "--subnet", "10.9.0.0/24", "--out", directory);
            if (made.ExitCode != 0)
            {
                throw new LabException($"galaxy vps openvpn failed: {made.Describe()}");
            }
        }

        SecondVpsServer = Inet.Start("openvpn", "--cd", directory, "--config", "server.conf", "--local", SecondVps, "--verb", "3");
        await SecondVpsServer.WaitForOutputAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(15));
        return Path.Combine(directory, "vps2.ovpn");
    }

    /// <summary>The second VPS's server, if running.</summary>
    public LabProcess? SecondVpsServer { get; private set; }

    /// <summary>
    /// An authoritative DNS server (dnsmasq) in <c>inet</c> on 203.0.113.53: <c>example.test</c> is 192.0.2.80,
    /// <c>vps.example.test</c> is the VPS (203.0.113.1).
    /// </summary>
    public async Task StartDnsServerAsync()
    {
        Inet.Start("dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces", "--listen-address", DnsServer,
            "--port", "53", "--pid-file=", "--user=root", "--log-queries", "--log-facility=-", "--address=/example.test/192.0.2.80",
            $"--address=/vps.example.test/{Vps}");
        await Inet.WaitForListenerAsync(53, udp: true);
    }

    /// <summary>The running VPS server, if any.</summary>
    public LabProcess? VpsServer { get; private set; }

    /// <summary>The configuration of one OpenVPN egress named "vps".</summary>
    public static string OpenVpnEgress(string profile) => $"""
        [[egress]]
        name = "vps"
        type = "openvpn"
        profile = "{profile}"
        """;

    /// <summary>The agent's control socket in this lab (never the host's /run/galaxy).</summary>
    public string ControlSocket => Path.Combine(Lab.WorkDirectory, "control", "galaxy.sock");

    /// <summary>Writes a configuration into the lab's folder (the [router] table is added) and returns its path.</summary>
    public string WriteConfig(string egresses, string extra = "")
    {
        var path = Path.Combine(Lab.WorkDirectory, "galaxy.toml");
        File.WriteAllText(path, $"""
            [router]
            lan = ["lan0"]
            wan = "wan0"
            runtime-dir = "{Path.Combine(Lab.WorkDirectory, "run")}"

            [control]
            socket = "{ControlSocket}"

            [dns]
            resolv-conf = ""
            {extra}

            {egresses}
            """);
        return path;
    }

    /// <summary>
    /// Starts <c>galaxy agent</c> in the router and waits until it says it is ready; with
    /// <paramref name="signalsIgnored"/>, as <c>nohup</c> would, with SIGHUP and SIGTERM ignored when it starts.
    /// </summary>
    public async Task<LabProcess> StartAgentAsync(string configPath, TimeSpan? readyTimeout = null, bool signalsIgnored = false)
    {
        string[] agent = [Artifacts.GalaxyBinary, "agent", "--config", configPath, "--log-level", "Debug"];
        Agent = signalsIgnored ? Router.Start(["sh", "-c", "trap '' HUP TERM; exec \"$@\"", "sh", .. agent]) : Router.Start(agent);
        await Agent.WaitForOutputAsync("ready:", readyTimeout ?? TimeSpan.FromSeconds(20));
        return Agent;
    }

    /// <summary>An HTTP GET from the LAN VM: the body, or null when it failed within the timeout.</summary>
    public async Task<string?> CurlAsync(string url, double timeoutSeconds = 3)
    {
        var result = await LanHost.RunAsync("curl", "-s", "-m", timeoutSeconds.ToString(CultureInfo.InvariantCulture), url);
        return result.ExitCode == 0 ? result.StandardOutput : null;
    }

    public static bool IsFromLan(CapturedPacket packet) =>
        packet.Source is { } source && source.Equals(IPAddress.Parse(LanAddress));

    public ValueTask DisposeAsync() => Lab.DisposeAsync();
}
