using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;
using Galaxy.Agent.Config;

namespace Galaxy.Agent.Dhcp;

/// <summary>
/// Renders busybox <c>udhcpd</c>'s configuration from <c>[dhcp]</c>, and the ifupdown stanza that gives the router its
/// LAN address. Every lease names the router as gateway and DNS server: the agent answers every LAN query to port 53
/// wherever it is addressed, so that is only the honest answer.
/// </summary>
internal static class UdhcpdConfig
{
    public static string Render(DhcpSettings dhcp, string source)
    {
        ArgumentNullException.ThrowIfNull(dhcp);
        if (!dhcp.Enabled || dhcp.Subnet is not { } subnet || dhcp.Address is null || dhcp.RangeStart is null || dhcp.RangeEnd is null)
        {
            throw new InvalidOperationException("udhcpd needs [dhcp] enabled with a subnet");
        }

        var leases = ToUInt(dhcp.RangeEnd) - ToUInt(dhcp.RangeStart) + 1;
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"# Rendered by `galaxy dhcp render` from {source} ([dhcp]); do not edit.\n");
        b.Append(CultureInfo.InvariantCulture, $"interface {dhcp.Interface}\n");
        b.Append(CultureInfo.InvariantCulture, $"start {dhcp.RangeStart}\n");
        b.Append(CultureInfo.InvariantCulture, $"end {dhcp.RangeEnd}\n");
        b.Append(CultureInfo.InvariantCulture, $"max_leases {leases}\n");
        b.Append(CultureInfo.InvariantCulture, $"lease_file {dhcp.LeaseFile}\n");
        b.Append("auto_time 0\n");
        b.Append(CultureInfo.InvariantCulture, $"option subnet {Mask(subnet.PrefixLength)}\n");
        b.Append(CultureInfo.InvariantCulture, $"option router {dhcp.Address}\n");
        b.Append(CultureInfo.InvariantCulture, $"option dns {dhcp.Address}\n");
        b.Append(CultureInfo.InvariantCulture, $"option lease {dhcp.LeaseSeconds}\n");
        return b.ToString();
    }

    /// <summary>The router's LAN address as an ifupdown(-ng) stanza, for <c>/etc/network/interfaces.d/</c>.</summary>
    public static string InterfacesStanza(DhcpSettings dhcp, string source)
    {
        ArgumentNullException.ThrowIfNull(dhcp);
        if (dhcp.Subnet is not { } subnet || dhcp.Address is null)
        {
            throw new InvalidOperationException("the LAN stanza needs [dhcp] subnet");
        }

        return string.Create(CultureInfo.InvariantCulture, $"""
            # Rendered by `galaxy dhcp render` from {source} ([dhcp]); do not edit.
            auto {dhcp.Interface}
            iface {dhcp.Interface} inet static
            	address {dhcp.Address}/{subnet.PrefixLength}

            """);
    }

    private static IPAddress Mask(int prefix) =>
        new(BinaryPrimitives.ReverseEndianness(prefix == 0 ? 0u : uint.MaxValue << (32 - prefix)));

    private static uint ToUInt(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }
}
