using System.Globalization;
using System.Text.Json;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Netlink.Route;

/// <summary>The independent oracle: <c>ip -j …</c> inside a lab host, parsed.</summary>
internal static class IpJson
{
    /// <summary>Runs <c>ip -j ARGS</c> in <paramref name="host"/> and returns the array's elements.</summary>
    public static async Task<JsonElement[]> QueryAsync(LabHost host, params string[] arguments)
    {
        var result = await host.RunCheckedAsync(["ip", "-j", .. arguments]);
        var text = result.StandardOutput.Trim();
        if (text.Length == 0)
        {
            return [];
        }

        using var document = JsonDocument.Parse(text);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>A property as text (numbers and strings alike), or null when absent.</summary>
    public static string? Text(this JsonElement element, string property) =>
        element.TryGetProperty(property, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    public static bool HasFlag(this JsonElement element, string flag) =>
        element.TryGetProperty("flags", out var flags) && flags.EnumerateArray().Any(f => f.GetString() == flag);

    public static string Describe(IEnumerable<JsonElement> elements) =>
        "[" + string.Join(",\n   ", elements.Select(e => e.GetRawText())) + "]";

    /// <summary>Table names <c>ip</c> prints instead of numbers.</summary>
    public static uint TableNumber(string? text) => text switch
    {
        null => 254,
        "local" => 255,
        "main" => 254,
        "default" => 253,
        _ => uint.Parse(text, CultureInfo.InvariantCulture),
    };
}
