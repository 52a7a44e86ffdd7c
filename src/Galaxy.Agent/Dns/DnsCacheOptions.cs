namespace Galaxy.Agent.Dns;

/// <summary>Bounds of the answer cache.</summary>
internal sealed record DnsCacheOptions
{
    /// <summary>Answers held at most; the least recently used goes first.</summary>
    public int MaxEntries { get; init; } = 4096;

    /// <summary>No answer is kept longer than this, whatever its TTL says.</summary>
    public TimeSpan MaxTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>NXDOMAIN and empty answers are kept at most this long (RFC 2308 §5 suggests 1–3 hours; shorter suits a router).</summary>
    public TimeSpan MaxNegativeTtl { get; init; } = TimeSpan.FromMinutes(5);

    public void Validate()
    {
        if (MaxEntries < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEntries), MaxEntries, "the DNS cache must hold at least one answer");
        }

        if (MaxTtl < TimeSpan.Zero || MaxNegativeTtl < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTtl), "DNS cache TTL caps cannot be negative");
        }
    }
}
