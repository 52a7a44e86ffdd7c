using System.Text.Json;
using Galaxy.Integration.Tests.Labs;
using TestLab = Galaxy.Integration.Tests.Labs.Lab;
using Galaxy.Netlink;
using Galaxy.Netlink.Core.Interop;
using Galaxy.Netlink.Route;

namespace Galaxy.Integration.Tests.Netlink.Route;

/// <summary>Links made and changed by <see cref="RtNetlinkClient"/>, checked with <c>ip -j link</c>.</summary>
public sealed class RtLinkTests
{
    [Fact]
    public async Task A_veth_pair_is_created_raised_resized_lowered_and_deleted()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);

        rt.CreateVeth("va", "vb");
        var links = await IpJson.QueryAsync(host, "link", "show");
        Assert.True(links.Any(l => l.Text("ifname") == "va" && l.Text("link") == "vb") && links.Any(l => l.Text("ifname") == "vb"),
            $"expected veth va with peer vb; ip -j link show: {IpJson.Describe(links)}");

        rt.SetLinkUp("va", true);
        var va = await ShowAsync(host, "va");
        Assert.True(va.HasFlag("UP"), $"expected va UP after SetLinkUp; ip says {va.GetRawText()}");

        rt.SetMtu("va", 1400);
        va = await ShowAsync(host, "va");
        Assert.True(va.Text("mtu") == "1400", $"expected mtu 1400; ip says {va.GetRawText()}");

        var index = rt.FindLink("va")?.Index ?? 0;
        Assert.True(index > 0, "expected FindLink(\"va\") to find the link");
        rt.SetLinkUp(index, false);
        rt.SetMtu(index, 1300);
        va = await ShowAsync(host, "va");
        Assert.True(!va.HasFlag("UP") && va.Text("mtu") == "1300", $"expected va down with mtu 1300 (by index {index}); ip says {va.GetRawText()}");

        var found = rt.FindLink(index);
        Assert.True(found is { Name: "va", IsUp: false, Mtu: 1300, Kind: "veth" }, $"expected FindLink({index}) = va down mtu 1300 veth; got {found}");

        rt.DeleteLink("va");
        links = await IpJson.QueryAsync(host, "link", "show");
        Assert.True(!links.Any(l => l.Text("ifname") is "va" or "vb"), $"expected va and vb gone; ip -j link show: {IpJson.Describe(links)}");
        Assert.True(rt.FindLink("va") is null, "expected FindLink(\"va\") to be null after the delete");
    }

    [Fact]
    public async Task A_veth_peer_is_created_in_another_namespace()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        var other = await lab.AddHostAsync("o");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);

        rt.CreateVeth("va", "vb", other.NamespacePath);

        var here = await IpJson.QueryAsync(host, "link", "show");
        var there = await IpJson.QueryAsync(other, "link", "show");
        Assert.True(here.Any(l => l.Text("ifname") == "va") && !here.Any(l => l.Text("ifname") == "vb"),
            $"expected va (and no vb) in {host}; ip -j link show: {IpJson.Describe(here)}");
        Assert.True(there.Any(l => l.Text("ifname") == "vb"), $"expected vb in {other}; ip -j link show: {IpJson.Describe(there)}");

        rt.DeleteLink(rt.FindLink("va")!.Index);
        there = await IpJson.QueryAsync(other, "link", "show");
        Assert.True(!there.Any(l => l.Text("ifname") == "vb"), $"expected vb gone with va; ip -j link show: {IpJson.Describe(there)}");

        // A bare name means /run/netns/NAME, as for `ip link … netns NAME`.
        rt.CreateVeth("vc", "vd", other.Namespace);
        there = await IpJson.QueryAsync(other, "link", "show");
        Assert.True(there.Any(l => l.Text("ifname") == "vd"), $"expected vd in {other} (namespace given by name); ip -j link show: {IpJson.Describe(there)}");
    }

    [Fact]
    public async Task Listed_links_agree_with_ip()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);
        rt.CreateVeth("va", "vb");
        rt.SetLinkUp("vb", true);
        rt.SetMtu("va", 1280);

        var ours = rt.ListLinks().Select(l => $"{l.Index} {l.Name} mtu {l.Mtu} {(l.IsUp ? "up" : "down")}").Order().ToArray();
        var ip = (await IpJson.QueryAsync(host, "link", "show"))
            .Select(l => $"{l.Text("ifindex")} {l.Text("ifname")} mtu {l.Text("mtu")} {(l.HasFlag("UP") ? "up" : "down")}").Order().ToArray();
        Assert.True(ours.SequenceEqual(ip), $"expected ListLinks to match ip -j link show\n  ip:   {string.Join(" | ", ip)}\n  ours: {string.Join(" | ", ours)}");
    }

    [Fact]
    public async Task An_unknown_link_fails_with_ENODEV_naming_the_operation()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath);

        var error = Assert.Throws<NetlinkException>(() => rt.SetLinkUp("nosuch0", true));
        Assert.True(error.Errno == Errno.ENODEV && error.Message.Contains("ip link set nosuch0 up", StringComparison.Ordinal),
            $"expected ENODEV naming \"ip link set nosuch0 up\"; got {error.ErrnoName}: {error.Message}");

        error = Assert.Throws<NetlinkException>(() => rt.DeleteLink(9999));
        Assert.True(error.Errno == Errno.ENODEV && error.Message.Contains("ip link del ifindex 9999", StringComparison.Ordinal),
            $"expected ENODEV naming \"ip link del ifindex 9999\"; got {error.ErrnoName}: {error.Message}");

        Assert.True(rt.FindLink("nosuch0") is null && rt.FindLink(9999) is null, "expected FindLink to return null for absent links");
    }

    private static async Task<JsonElement> ShowAsync(LabHost host, string name) =>
        Assert.Single(await IpJson.QueryAsync(host, "link", "show", "dev", name));
}
