using System.Net;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Tests.Dns;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Tests.Relay;

public sealed class EgressDialFailuresTests
{
    private static readonly IPEndPoint Web = IPEndPoint.Parse("203.0.113.5:443");

    [Fact]
    public void An_egress_that_never_failed_has_no_summary()
    {
        var failures = new EgressDialFailures();
        failures.Record("vpn", Web, "timed out");
        Assert.Null(failures.Of("backup"));
    }

    [Fact]
    public void Each_egress_counts_its_own_failures_and_keeps_the_last()
    {
        var time = new ManualTime();
        var failures = new EgressDialFailures(time: time);
        failures.Record("vpn", Web, "connection refused");
        time.Advance(TimeSpan.FromSeconds(5));
        failures.Record("vpn", IPEndPoint.Parse("[2001:db8::5]:80"), "timed out");
        failures.Record("proxy", Web, "SOCKS5 proxy 198.51.100.5:1080 refused the credentials of user alice");

        Assert.Equal(new DialFailureSummary(2, "[2001:db8::5]:80: timed out", time.GetUtcNow()), failures.Of("vpn"));
        Assert.Equal(2, failures.Of("vpn")!.Value.Count);
        Assert.Equal(1, failures.Of("proxy")!.Value.Count);
    }

    [Theory]
    [InlineData("connection refused", "203.0.113.5:443: connection refused")]
    [InlineData("SOCKS5 proxy 198.51.100.5:1080: 203.0.113.5:443: host unreachable", "203.0.113.5:443: SOCKS5 proxy 198.51.100.5:1080: 203.0.113.5:443: host unreachable")]
    [InlineData("HTTP proxy 198.51.100.5:8080: CONNECT 2203.0.113.5:4430: status 502", "203.0.113.5:443: HTTP proxy 198.51.100.5:8080: CONNECT 2203.0.113.5:4430: status 502")]
    [InlineData(null, "203.0.113.5:443: failed")]
    [InlineData("", "203.0.113.5:443: failed")]
    public void The_error_always_starts_with_the_destination(string? reason, string expected) =>
        Assert.Equal(expected, EgressDialFailures.Describe(Web, reason));

    [Fact]
    public void The_first_failure_warns_at_once_and_later_ones_at_most_once_a_minute_with_their_count()
    {
        var time = new ManualTime();
        var logger = new RecordingLogger();
        var failures = new EgressDialFailures(logger, time);

        failures.Record("vpn", Web, "timed out");
        var first = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, first.Level);
        Assert.Contains("1 flow(s) through vpn could not be dialed", first.Message, StringComparison.Ordinal);
        Assert.Contains("the last: 203.0.113.5:443: timed out", first.Message, StringComparison.Ordinal);

        // Within the minute: counted, not logged; another egress still warns on its own.
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            failures.Record("vpn", Web, "timed out");
        }

        failures.Record("proxy", Web, "connection refused");
        Assert.Equal(2, logger.Entries.Count);
        Assert.Contains("through proxy", logger.Entries[1].Message, StringComparison.Ordinal);

        // The next failure once the minute is over reports the five held back and itself.
        time.Advance(TimeSpan.FromSeconds(10));
        failures.Record("vpn", Web, "connection refused");
        Assert.Equal(3, logger.Entries.Count);
        Assert.Contains("6 flow(s) through vpn could not be dialed since 2026-11-26 00:00:00Z", logger.Entries[2].Message, StringComparison.Ordinal);
        Assert.Contains("the last: 203.0.113.5:443: connection refused", logger.Entries[2].Message, StringComparison.Ordinal);
        Assert.Equal(7, failures.Of("vpn")!.Value.Count);
    }
}
