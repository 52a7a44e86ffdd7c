using System.Buffers.Binary;
using System.Net;
using System.Text.Json;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Integration.Tests.Netlink.NfTables;

/// <summary>Named sets of each key type: nft must print their elements as what was asked.</summary>
public sealed class NfTablesSetTests
{
    [Fact]
    public async Task Named_sets_of_every_key_type_list_in_nft_as_their_elements()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var client = NfTablesClient.OpenIn(router.NamespacePath);
        var batch = new NfBatch().AddTable(NfFamily.Inet, "s");
        batch.AddSet(NfFamily.Inet, "s", "v6", NfSetKeyType.IPv6Address, interval: true);
        batch.AddElements(NfFamily.Inet, "s", "v6", [IPNetwork.Parse("2001:db8::/32"), IPNetwork.Parse("fc00::/7")]);
        batch.AddSet(NfFamily.Inet, "s", "v4", NfSetKeyType.IPv4Address);
        batch.AddElements(NfFamily.Inet, "s", "v4", [NfKey.Address(IPAddress.Parse("192.0.2.1")), NfKey.Address(IPAddress.Parse("192.0.2.2"))]);
        batch.AddSet(NfFamily.Inet, "s", "ports", NfSetKeyType.InetService);
        batch.AddElements(NfFamily.Inet, "s", "ports", [NfKey.Port(53), NfKey.Port(443)]);
        batch.AddSet(NfFamily.Inet, "s", "protos", NfSetKeyType.InetProtocol);
        batch.AddElements(NfFamily.Inet, "s", "protos", [NfKey.Protocol(6), NfKey.Protocol(17)]);
        batch.AddSet(NfFamily.Inet, "s", "ifs", NfSetKeyType.InterfaceName);
        batch.AddElements(NfFamily.Inet, "s", "ifs", [NfKey.InterfaceName("lan0"), NfKey.InterfaceName("wg0")]);
        batch.AddSet(NfFamily.Inet, "s", "marks", NfSetKeyType.Mark);
        batch.AddElements(NfFamily.Inet, "s", "marks", [NfKey.HostU32(0x100)]);
        client.Commit(batch);

        var nft = await NftOracle.ListAsync(router);
        AssertElements(nft, "v6", ["2001:db8::/32", "fc00::/7"]);
        AssertElements(nft, "v4", ["192.0.2.1", "192.0.2.2"]);
        AssertElements(nft, "ports", ["53", "443"]);
        AssertElements(nft, "protos", ["tcp", "udp"]);
        AssertElements(nft, "ifs", ["lan0", "wg0"]);
        AssertElements(nft, "marks", ["256"]);

        client.Commit(new NfBatch()
            .DeleteElements(NfFamily.Inet, "s", "v6", [IPNetwork.Parse("fc00::/7")])
            .DeleteElements(NfFamily.Inet, "s", "ports", [NfKey.Port(53)]));
        nft = await NftOracle.ListAsync(router);
        AssertElements(nft, "v6", ["2001:db8::/32"]);
        AssertElements(nft, "ports", ["443"]);
        var back = client.ListSetPrefixes(NfFamily.Inet, "s", "v6").Select(p => p.ToString()).ToList();
        Assert.True(back.SequenceEqual(["2001:db8::/32"]), $"expected 2001:db8::/32 read back, saw {string.Join(", ", back)}");
    }

    [Fact]
    public async Task A_set_of_50000_prefixes_commits_in_one_batch_and_reads_back_whole()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        using var client = NfTablesClient.OpenIn(router.NamespacePath);
        // 50 000 separate /25s (the lower half of each /24 from 10.0.0.0, never adjacent, so none merge;
        // all inside 10.0.0.0/8: no public address, even as a set element).
        var prefixes = Enumerable.Range(0, 50_000)
            .Select(i => new IPNetwork(new IPAddress(BigEndian(0x0a000000u + ((uint)i * 256))), 25)).ToList();
        var batch = new NfBatch().AddTable(NfFamily.Inet, "big");
        batch.AddSet(NfFamily.Inet, "big", "bypass4", NfSetKeyType.IPv4Address, interval: true);
        batch.AddElements(NfFamily.Inet, "big", "bypass4", prefixes);
        Assert.True(batch.Count > 3, $"expected the elements split over several messages, saw {batch.Count} messages");

        client.Commit(batch);

        var back = client.ListSetPrefixes(NfFamily.Inet, "big", "bypass4");
        Assert.True(back.Count == 50_000, $"expected 50000 prefixes read back, saw {back.Count}");
        Assert.True(back[0].ToString() == "10.0.0.0/25" && back[^1].Equals(prefixes[^1]), $"expected 10.0.0.0/25 … {prefixes[^1]}, saw {back[0]} … {back[^1]}");
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static void AssertElements(NftOracle nft, string set, string[] expected)
    {
        var json = nft.Set("s", set) ?? throw new Xunit.Sdk.XunitException($"expected set {set}; nft listed:\n{nft.Json}");
        var seen = json.TryGetProperty("elem", out var elements)
            ? elements.EnumerateArray().Select(Render).ToList()
            : [];
        // A hash set lists in no particular order: compare as sets.
        Assert.True(seen.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)), $"set {set}: expected {string.Join(", ", expected)}, nft listed {string.Join(", ", seen)}");
    }

    private static string Render(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object when element.TryGetProperty("prefix", out var p) => $"{p.GetProperty("addr").GetString()}/{p.GetProperty("len").GetInt32()}",
        JsonValueKind.Number => element.GetRawText(),
        _ => element.GetString() ?? element.GetRawText(),
    };
}
