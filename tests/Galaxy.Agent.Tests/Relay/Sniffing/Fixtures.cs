namespace Galaxy.Agent.Tests.Relay.Sniffing;

/// <summary>The captured first bytes of real clients (the *.hex files next to this one; '#' lines are notes).</summary>
internal static class Fixtures
{
    public static byte[] Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Relay", "Sniffing", name + ".hex");
        var hex = string.Concat(File.ReadLines(path).Where(line => !line.StartsWith('#')).Select(line => line.Trim()));
        return Convert.FromHexString(hex);
    }

    /// <summary>
    /// The same handshake message carried in several records, cut at <paramref name="cuts"/> (offsets into the
    /// handshake message), each record with the original record header's type and version.
    /// </summary>
    public static byte[] Rerecord(byte[] singleRecord, params int[] cuts)
    {
        var message = singleRecord.AsSpan(5);
        var output = new List<byte>();
        var start = 0;
        foreach (var end in cuts.Append(message.Length))
        {
            var fragment = message[start..end];
            output.AddRange([singleRecord[0], singleRecord[1], singleRecord[2], (byte)(fragment.Length >> 8), (byte)fragment.Length]);
            output.AddRange(fragment.ToArray());
            start = end;
        }

        return [.. output];
    }
}
