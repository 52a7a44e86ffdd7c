using System.Globalization;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Agent;

/// <summary>
/// What a leaking router would let out: from the LAN VM, TCP (SYN and data), UDP (53, 123, 443 and a
/// random port), ICMP, IPv6 and DNS to a foreign resolver, each carrying a nonce in its payload. Every
/// probe is bounded (one packet or one short attempt) and ends by itself.
/// </summary>
internal static class LeakProbes
{
    /// <summary>Sends every probe once; returns the nonce they carried.</summary>
    public static async Task<string> SendAsync(LabHost lan)
    {
        var nonce = "galaxy-probe-" + Guid.NewGuid().ToString("N")[..12];
        var tasks = new List<Task<CommandResult>>
        {
            lan.RunAsync("curl", "-s", "-m", "1", $"http://{RouterLab.WebServer}/{nonce}"),
            lan.RunAsync("curl", "-s", "-m", "1", $"http://{RouterLab.Vps}:443/{nonce}"),
            lan.RunAsync("ping", "-c", "1", "-W", "1", "-p", "6e6f6e6365", RouterLab.WebServer),
            lan.RunAsync("dig", "+time=1", "+tries=1", $"@{RouterLab.DnsServer}", $"{nonce}.example.com"),
            lan.RunAsync("dig", "+tcp", "+time=1", "+tries=1", $"@{RouterLab.DnsServer}", $"{nonce}.example.com"),
        };
        var random = Random.Shared.Next(20000, 60000).ToString(CultureInfo.InvariantCulture);
        foreach (var port in (string[])["53", "123", "443", random])
        {
            tasks.Add(lan.RunAsync(["socat", "-u", "STDIN", $"UDP4-SENDTO:{RouterLab.WebServer}:{port}"], stdin: nonce + "\n"));
        }

        tasks.Add(lan.RunAsync(["socat", "-u", "STDIN", "UDP6-SENDTO:[2001:db8:99::1]:443"], stdin: nonce + "\n"));
        await Task.WhenAll(tasks);
        return nonce;
    }

    /// <summary>
    /// The packets the router SENT on the WAN that a closed router may not send. Allowed: ARP, DHCP, the
    /// tunnel's own packets to its pinned endpoint. Packets arriving from the lab's internet (their source
    /// is one of its addresses) are not the router's; everything else is a leak: the LAN's address, the
    /// router's WAN address, any IPv6 (the lab's internet has none).
    /// </summary>
    public static IReadOnlyList<CapturedPacket> Leaks(IEnumerable<CapturedPacket> wan, string? tunnelEndpoint = null, int tunnelPort = 1194) =>
        [.. wan.Where(p => !IsAllowed(p, tunnelEndpoint, tunnelPort))];

    private static readonly HashSet<string> InternetAddresses =
        [RouterLab.UplinkAddress, RouterLab.WebServer, RouterLab.DnsServer, RouterLab.Vps];

    private static bool IsAllowed(CapturedPacket packet, string? endpoint, int port)
    {
        if (packet.Source is null)
        {
            return true; // ARP and other non-IP frames
        }

        if (InternetAddresses.Contains(packet.Source.ToString()))
        {
            return true; // inbound: sent by the lab's internet, not by the router
        }

        if (packet.IsUdp && (packet.SourcePort, packet.DestinationPort) is (68, 67) or (67, 68))
        {
            return true;
        }

        if (endpoint is not null)
        {
            return packet.IsUdp && packet.Destination!.ToString() == endpoint && packet.DestinationPort == port && packet.Source.ToString() == RouterLab.RouterWanAddress;
        }

        return false;
    }
}
