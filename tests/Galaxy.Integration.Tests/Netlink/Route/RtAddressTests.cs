using System.Net;
using Galaxy.Integration.Tests.Labs;
using TestLab = Galaxy.Integration.Tests.Labs.Lab;
using Galaxy.Netlink.Route;

namespace Galaxy.Integration.Tests.Netlink.Route;

/// <summary>Addresses added and removed by <see cref="RtNetlinkClient"/>, checked with <c>ip -j addr</c>.</summary>
public sealed class RtAddressTests
{
    [Fact]
    public async Task IPv4_and_IPv6_addresses_are_added_listed_and_deleted()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);
        rt.CreateVeth("va", "vb");
        var index = rt.FindLink("va")!.Index;

        rt.AddAddress("va", IPAddress.Parse("198.51.100.1"), 24);
        rt.AddAddress(index, IPAddress.Parse("2001:db8::1"), 64);

        var shown = await AddressesAsync(host, "va");
        string[] expected = ["inet 198.51.100.1/24", "inet6 2001:db8::1/64"];
        Assert.True(expected.All(shown.Contains), $"expected {string.Join(", ", expected)} on va; ip -j addr shows {string.Join(", ", shown)}");

        var listed = rt.ListAddresses().Where(a => a.LinkIndex == index)
            .Select(a => $"{(a.Family == IpFamily.IPv6 ? "inet6" : "inet")} {a.Address}/{a.PrefixLength}").Order();
        Assert.True(listed.SequenceEqual(shown.Order()), $"expected ListAddresses to match ip for va\n  ip:   {string.Join(", ", shown)}\n  ours: {string.Join(", ", listed)}");

        var v6Only = rt.ListAddresses(IpFamily.IPv6);
        Assert.True(v6Only.All(a => a.Family == IpFamily.IPv6) && v6Only.Any(a => a.Address.Equals(IPAddress.Parse("2001:db8::1"))),
            $"expected ListAddresses(IPv6) to hold only IPv6, 2001:db8::1 among them; got {string.Join(", ", v6Only)}");

        rt.DeleteAddress("va", IPAddress.Parse("198.51.100.1"), 24);
        rt.DeleteAddress(index, IPAddress.Parse("2001:db8::1"), 64);
        shown = await AddressesAsync(host, "va");
        Assert.True(!shown.Any(a => a.Contains("198.51.100.1", StringComparison.Ordinal) || a.Contains("2001:db8::1", StringComparison.Ordinal)),
            $"expected both addresses gone; ip -j addr shows {string.Join(", ", shown)}");
    }

    [Fact]
    public async Task Listed_addresses_agree_with_ip_for_every_link()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);
        rt.CreateVeth("va", "vb");
        rt.SetLinkUp("va", true);
        rt.SetLinkUp("vb", true);
        rt.AddAddress("va", IPAddress.Parse("198.51.100.1"), 24);
        rt.AddAddress("vb", IPAddress.Parse("2001:db8::2"), 64);

        var ip = new List<string>();
        foreach (var link in await IpJson.QueryAsync(host, "addr", "show"))
        {
            foreach (var address in link.GetProperty("addr_info").EnumerateArray())
            {
                ip.Add($"{link.Text("ifindex")} {address.Text("local")}/{address.Text("prefixlen")}");
            }
        }

        var ours = rt.ListAddresses().Select(a => $"{a.LinkIndex} {a.Address}/{a.PrefixLength}").Order().ToArray();
        ip.Sort(StringComparer.Ordinal);
        Assert.True(ours.SequenceEqual(ip.Order()), $"expected ListAddresses to match ip -j addr show\n  ip:   {string.Join(" | ", ip)}\n  ours: {string.Join(" | ", ours)}");
    }

    private static async Task<List<string>> AddressesAsync(LabHost host, string link)
    {
        var shown = new List<string>();
        foreach (var entry in await IpJson.QueryAsync(host, "addr", "show", "dev", link))
        {
            foreach (var address in entry.GetProperty("addr_info").EnumerateArray())
            {
                if (address.Text("scope") != "link")
                {
                    shown.Add($"{address.Text("family")} {address.Text("local")}/{address.Text("prefixlen")}");
                }
            }
        }

        return shown;
    }
}
