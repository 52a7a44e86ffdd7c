using System.Globalization;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>What a user sees when the tunnel goes away in the middle of a transfer.</summary>
public sealed class TunnelLossTests
{
    private const int DownloadPort = 9000;

    [Fact]
    public async Task An_established_download_stops_within_a_second_of_the_tunnel_loss_and_nothing_of_it_reaches_the_WAN()
    {
        await using var lab = await RouterLab.CreateAsync();
        var script = Path.Combine(lab.Lab.WorkDirectory, "download.sh");
        File.WriteAllText(script, "#!/bin/sh\nexec head -c 400000000 /dev/zero\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        }

        lab.Inet.Start("socat", $"TCP-LISTEN:{DownloadPort},bind={RouterLab.WebServer},fork,reuseaddr", $"EXEC:{script}");
        await lab.Inet.WaitForListenerAsync(DownloadPort);
        var profile = await lab.StartVpsAsync();
        var agent = await lab.StartAgentAsync(lab.WriteConfig(RouterLab.OpenVpnEgress(profile)));
        await agent.WaitForOutputAsync("egress vps is UP", TimeSpan.FromSeconds(30));

        // A bounded, rate-limited download (4 MB/s for at most 20 s) from the LAN VM through the tunnel.
        var lanCapture = await lab.Router.CaptureAsync("lan0", $"tcp and src host {RouterLab.WebServer} and src port {DownloadPort}");
        var wanCapture = await lab.Router.CaptureAsync("wan0");
        var download = lab.LanHost.Start("curl", "-s", "-o", "/dev/null", "-m", "20", "--limit-rate", "4M", "-w", "%{size_download}",
            $"telnet://{RouterLab.WebServer}:{DownloadPort}");
        await lanCapture.WaitForAsync(p => p.PayloadLength > 0, TimeSpan.FromSeconds(10), "the download's first bytes on the LAN");
        await Task.Delay(1000, TestContext.Current.CancellationToken);

        // The VPS goes away (SIGTERM: it tells the client, which reconnects at once).
        var lost = DateTimeOffset.UtcNow;
        await lab.VpsServer!.StopAsync();
        await agent.WaitForOutputAsync("egress vps is DOWN", TimeSpan.FromSeconds(10));
        await Task.Delay(2000, TestContext.Current.CancellationToken);

        var lanPackets = await lanCapture.StopAsync();
        var lastData = lanPackets.Where(p => p.PayloadLength > 0).Max(p => p.Time);
        Assert.True(lastData - lost < TimeSpan.FromSeconds(1),
            string.Create(CultureInfo.InvariantCulture, $"download data still reached the LAN {(lastData - lost).TotalMilliseconds:0} ms after the tunnel was lost"));

        var leaks = LeakProbes.Leaks(await wanCapture.StopAsync(), RouterLab.Vps);
        Assert.True(leaks.Count == 0, $"leaked on the WAN: {string.Join("; ", leaks.Take(10))}");
        await download.StopAsync();
    }
}
