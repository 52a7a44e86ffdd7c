using Galaxy.Agent.Tunnels.OpenVpn.Supervision;

namespace Galaxy.Agent.Tests.Tunnels.OpenVpn.Supervision;

public sealed class OpenVpnBackoffTests
{
    [Fact]
    public void The_delay_doubles_from_the_base_up_to_the_cap()
    {
        var backoff = OpenVpnBackoff.Default;
        Assert.Equal(
            [0, 1, 2, 4, 8, 16, 32, 60, 60, 60],
            Enumerable.Range(0, 10).Select(n => backoff.Nominal(n).TotalSeconds).ToArray());
        Assert.Equal(TimeSpan.FromSeconds(60), backoff.Nominal(10_000));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.999999)]
    public void Jitter_only_shortens_and_by_at_most_its_fraction(double random)
    {
        var backoff = OpenVpnBackoff.Default;
        for (var failures = 1; failures < 12; failures++)
        {
            var nominal = backoff.Nominal(failures);
            var delay = backoff.Delay(failures, random);
            Assert.True(delay <= nominal && delay >= nominal * 0.8, $"expected {failures} failures to wait between {nominal * 0.8} and {nominal}; got {delay}");
        }
    }

    [Fact]
    public void Attempts_that_fail_at_once_are_at_most_seven_in_the_first_minute()
    {
        // A hot failure (refused at once): attempt, fail, wait, attempt… counted over 60 s with the longest
        // (random 0) and the shortest (random ~1) jitter.
        foreach (var random in new[] { 0.0, 0.999999 })
        {
            var backoff = OpenVpnBackoff.Default;
            var now = TimeSpan.Zero;
            var attempts = 0;
            var failures = 0;
            while (now < TimeSpan.FromSeconds(60))
            {
                attempts++;
                failures++;
                now += backoff.Delay(failures, random);
            }

            Assert.True(attempts is >= 6 and <= 7, $"expected 6 or 7 attempts in 60 s (1, 2, 4, 8, 16, 32 s apart), jitter draw {random}; counted {attempts}");
        }
    }

    [Fact]
    public void Nonsense_settings_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new OpenVpnBackoff(TimeSpan.Zero, TimeSpan.FromSeconds(1)).Nominal(1));
        Assert.Throws<ArgumentException>(() => new OpenVpnBackoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)).Nominal(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OpenVpnBackoff.Default.Delay(1, 1.0));
    }
}
