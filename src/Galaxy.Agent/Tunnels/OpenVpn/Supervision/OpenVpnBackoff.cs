namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>
/// Capped exponential backoff with jitter: after the n-th failed attempt in a row the next one waits
/// <c>min(Cap, Base·2^(n-1))</c>, shortened by up to <see cref="Jitter"/> of itself at random so that
/// several egresses that failed together do not retry in step. Never longer than the cap, never shorter
/// than <c>(1 - Jitter)</c> of the nominal delay. Pure: the random draw is a parameter.
/// </summary>
/// <param name="Base">The wait after the first failure.</param>
/// <param name="Cap">The longest wait.</param>
/// <param name="Jitter">The fraction (0 to 1) of the delay that is random.</param>
internal sealed record OpenVpnBackoff(TimeSpan Base, TimeSpan Cap, double Jitter = 0.2)
{
    /// <summary>1 s, doubling, at most 60 s, 20 % jitter: 7 attempts in the first minute of a hard failure.</summary>
    public static OpenVpnBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));

    /// <summary>The delay without jitter after <paramref name="failures"/> failures in a row (0 = none: go now).</summary>
    public TimeSpan Nominal(int failures)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(failures);
        Validate();
        if (failures == 0)
        {
            return TimeSpan.Zero;
        }

        var ticks = Base.Ticks;
        for (var i = 1; i < failures && ticks < Cap.Ticks; i++)
        {
            ticks *= 2;
        }

        return TimeSpan.FromTicks(Math.Min(ticks, Cap.Ticks));
    }

    /// <summary>The delay to wait after <paramref name="failures"/> failures in a row, <paramref name="random"/> in [0, 1).</summary>
    public TimeSpan Delay(int failures, double random)
    {
        if (random is < 0 or >= 1 || double.IsNaN(random))
        {
            throw new ArgumentOutOfRangeException(nameof(random), random, "the random draw must be in [0, 1)");
        }

        var nominal = Nominal(failures);
        return TimeSpan.FromTicks(nominal.Ticks - (long)(nominal.Ticks * Jitter * random));
    }

    private void Validate()
    {
        if (Base <= TimeSpan.Zero || Cap < Base || Jitter is < 0 or > 1 || double.IsNaN(Jitter))
        {
            throw new ArgumentException($"backoff needs 0 < base ({Base}) <= cap ({Cap}) and a jitter in [0, 1] ({Jitter})");
        }
    }
}
