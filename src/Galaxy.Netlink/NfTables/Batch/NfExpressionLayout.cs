namespace Galaxy.Netlink.NfTables;

/// <summary>
/// Where each expression of a rule message sits: byte ranges from the start of the message (its
/// nlmsghdr), so an ext-ack offset maps to the expression that contains it.
/// </summary>
internal sealed class NfExpressionLayout
{
    private readonly List<(int Start, int End, string Name)> _ranges = [];

    public int Count => _ranges.Count;

    /// <summary>
    /// The expression to blame when the kernel refuses the rule without an offset (EOPNOTSUPP for a
    /// wrong hook), inferred from the chain's hook; -1 when none.
    /// </summary>
    public int HookSuspect { get; init; } = -1;

    public void Add(int start, int end, string name) => _ranges.Add((start, end, name));

    public (int Start, int End, string Name) this[int index] => _ranges[index];

    /// <summary>The index of the expression containing <paramref name="offset"/>, or -1.</summary>
    public int IndexOf(int offset)
    {
        for (var i = 0; i < _ranges.Count; i++)
        {
            if (offset >= _ranges[i].Start && offset < _ranges[i].End)
            {
                return i;
            }
        }

        return -1;
    }
}
