using System.Text.Json;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Netlink.NfTables;

/// <summary>nft itself as the independent oracle: <c>nft -j list ruleset</c> parsed into its objects.</summary>
internal sealed class NftOracle
{
    private NftOracle(string json, List<JsonElement> objects)
    {
        Json = json;
        Objects = objects;
    }

    public string Json { get; }

    public List<JsonElement> Objects { get; }

    public static async Task<NftOracle> ListAsync(LabHost host)
    {
        var result = await host.RunCheckedAsync("nft", "-j", "list", "ruleset");
        var document = JsonDocument.Parse(result.StandardOutput);
        var objects = document.RootElement.GetProperty("nftables").EnumerateArray()
            .Select(e => e.EnumerateObject().First())
            .Where(p => p.Name != "metainfo")
            .Select(p => { var o = p.Value.Clone(); return (p.Name, o); })
            .Select(t => Wrap(t.Name, t.o))
            .ToList();
        return new NftOracle(result.StandardOutput, objects);
    }

    public IEnumerable<JsonElement> OfKind(string kind) =>
        Objects.Where(o => o.GetProperty("kind").GetString() == kind).Select(o => o.GetProperty("value"));

    public bool HasTable(string family, string name) =>
        OfKind("table").Any(t => t.GetProperty("family").GetString() == family && t.GetProperty("name").GetString() == name);

    public JsonElement? Chain(string table, string name) =>
        OfKind("chain").Where(c => c.GetProperty("table").GetString() == table && c.GetProperty("name").GetString() == name)
            .Select(c => (JsonElement?)c).FirstOrDefault();

    public List<JsonElement> Rules(string table, string chain) =>
        OfKind("rule").Where(r => r.GetProperty("table").GetString() == table && r.GetProperty("chain").GetString() == chain).ToList();

    public JsonElement? Set(string table, string name) =>
        OfKind("set").Where(s => s.GetProperty("table").GetString() == table && s.GetProperty("name").GetString() == name)
            .Select(s => (JsonElement?)s).FirstOrDefault();

    private static JsonElement Wrap(string kind, JsonElement value) =>
        JsonDocument.Parse($"{{\"kind\":{JsonSerializer.Serialize(kind)},\"value\":{value.GetRawText()}}}").RootElement.Clone();
}
