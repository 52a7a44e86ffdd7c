using System.Globalization;

namespace Galaxy.Netlink.Tests.Core;

/// <summary>Hex helpers for golden-byte tests: spaces and '|' separators are ignored.</summary>
internal static class Hex
{
    public static byte[] Parse(string text)
    {
        var digits = new string(text.Where(Uri.IsHexDigit).ToArray());
        return Convert.FromHexString(digits);
    }

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);

    /// <summary>Fails with the first differing offset and both byte strings.</summary>
    public static void AssertEqual(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        var length = Math.Min(expected.Length, actual.Length);
        var first = -1;
        for (var i = 0; i < length; i++)
        {
            if (expected[i] != actual[i])
            {
                first = i;
                break;
            }
        }

        if (first < 0 && expected.Length == actual.Length)
        {
            return;
        }

        Assert.Fail($"bytes differ at offset {(first < 0 ? length : first)} (lengths {expected.Length} and {actual.Length})\n" +
                    $"expected: {Format(expected)}\nactual:   {Format(actual)}");
    }
}
