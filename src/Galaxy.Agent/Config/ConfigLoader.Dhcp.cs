using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Agent.Config;

/// <summary>The <c>[dhcp]</c> table: the LAN subnet, the router's address on it, and the optional DHCP service.</summary>
internal static partial class ConfigLoader
{
    private static DhcpSettings ReadDhcp(TomlSection section, RouterSettings? router)
    {
        var enabled = section.Boolean("enabled", false);
        var lans = router?.LanInterfaces ?? [];
        var iface = section.String("interface", lans.IsDefaultOrEmpty ? "" : lans[0])!;
        if (router is not null && section.Has("interface") && !lans.Contains(iface))
        {
            section.Error(section.LineOfKey("interface"), $"'interface' must be one of [router] lan ({string.Join(", ", lans)}), not '{iface}'");
        }

        var subnetText = section.String("subnet");
        var leaseSeconds = (int)section.Integer("lease-time", 60, 7 * 24 * 3600, 3600)!.Value;
        var leaseFile = section.String("lease-file", "/run/udhcpd.leases")!;
        if (!Path.IsPathRooted(leaseFile))
        {
            section.Error(section.LineOfKey("lease-file"), "'lease-file' must be an absolute path");
        }

        IPNetwork? subnet = null;
        if (subnetText is null)
        {
            if (enabled)
            {
                section.Error(section.LineOfKey("enabled"), "[dhcp] enabled = true needs 'subnet', the LAN's IPv4 subnet (e.g. subnet = \"198.51.100.0/24\")");
            }
        }
        else if (!IPNetwork.TryParse(subnetText, out var parsed) || parsed.BaseAddress.AddressFamily != AddressFamily.InterNetwork
                 || !IPAddress.TryParse(subnetText.Split('/')[0], out var written) || !written.Equals(parsed.BaseAddress))
        {
            section.Error(section.LineOfKey("subnet"), $"'subnet' must be an IPv4 subnet like 198.51.100.0/24, not '{subnetText}' (write the network address, not a host's)");
        }
        else if (parsed.PrefixLength is < 8 or > 29)
        {
            section.Error(section.LineOfKey("subnet"), $"'subnet' must have a prefix between /8 and /29, not /{parsed.PrefixLength}");
        }
        else
        {
            subnet = parsed;
        }

        var address = HostAddress(section, "address", subnet, subnet is { } s ? Offset(s, 1) : null);
        var start = HostAddress(section, "range-start", subnet, subnet is { } s2 ? Offset(s2, 2) : null);
        var end = HostAddress(section, "range-end", subnet, subnet is { } s3 ? Offset(s3, (1u << (32 - s3.PrefixLength)) - 2) : null);
        if (start is not null && end is not null && ToUInt(start) > ToUInt(end))
        {
            section.Error(section.LineOfKey("range-start"), $"'range-start' {start} comes after 'range-end' {end}");
        }
        else if (address is not null && start is not null && end is not null && ToUInt(address) >= ToUInt(start) && ToUInt(address) <= ToUInt(end)
                 && (section.Has("range-start") || section.Has("range-end")))
        {
            section.Error(section.LineOfKey("range-start"), $"the range {start}–{end} holds the router's own address {address}");
        }

        section.ReportUnknownKeys();
        if (address is not null && start is not null && end is not null && !section.Has("range-start") && !section.Has("range-end")
            && ToUInt(address) >= ToUInt(start) && ToUInt(address) <= ToUInt(end))
        {
            // A router address set by hand inside the default range: lease only the hosts above it (or below, at the top).
            if (ToUInt(address) < ToUInt(end))
            {
                start = new IPAddress(BinaryPrimitives.ReverseEndianness(ToUInt(address) + 1));
            }
            else
            {
                end = new IPAddress(BinaryPrimitives.ReverseEndianness(ToUInt(address) - 1));
            }
        }

        return new DhcpSettings(enabled, iface, subnet, address, start, end, leaseSeconds, leaseFile);
    }

    private static IPAddress? HostAddress(TomlSection section, string key, IPNetwork? subnet, IPAddress? fallback)
    {
        var text = section.String(key);
        if (text is null)
        {
            return fallback;
        }

        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
        {
            section.Error(section.LineOfKey(key), $"'{key}' must be an IPv4 address, not '{text}'");
            return null;
        }

        if (subnet is { } s)
        {
            var first = ToUInt(s.BaseAddress);
            var last = first + (1u << (32 - s.PrefixLength)) - 1;
            var value = ToUInt(address);
            if (value <= first || value >= last)
            {
                section.Error(section.LineOfKey(key), $"'{key}' {address} is not a host address of the subnet {s}");
                return null;
            }
        }

        return address;
    }

    private static IPAddress Offset(IPNetwork subnet, uint offset) =>
        new(BinaryPrimitives.ReverseEndianness(ToUInt(subnet.BaseAddress) + offset));

    private static uint ToUInt(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}
