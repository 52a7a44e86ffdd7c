namespace Galaxy.Netlink.NfTables;

/// <summary>One set element as the kernel holds it: a key, and for interval sets the INTERVAL_END flag.</summary>
public sealed record NfSetElement(ReadOnlyMemory<byte> Key, bool IntervalEnd = false)
{
    public override string ToString() => Convert.ToHexStringLower(Key.Span) + (IntervalEnd ? " end" : "");
}
