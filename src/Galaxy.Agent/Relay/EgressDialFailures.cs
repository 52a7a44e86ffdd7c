using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Relay;

/// <summary>
/// Per egress, the flows it could not dial (TCP connects and handshakes, SOCKS5 UDP associations; never a
/// refusal by policy): how many, and the last one's destination, reason and time, for <c>galaxy egresses</c>.
/// So that an operator at the default log level learns that an egress fails without a line per flow, the first
/// failure of an egress is logged as a warning at once, and later ones at most once per
/// <see cref="WarningInterval"/>: the first failure after it is logged with the count since the last warning (so
/// failures that stop within the interval reach the log only with the next one; <c>galaxy egresses</c> counts
/// them at once). The interval is measured on the monotonic clock. Thread-safe: the splice loops, the thread
/// pool and the UDP relays record at once.
/// </summary>
internal sealed class EgressDialFailures
{
    /// <summary>The least time between two warnings about one egress.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);
    private readonly ILogger? _logger;
    private readonly TimeProvider _time;

    public EgressDialFailures(ILogger? logger = null, TimeProvider? time = null)
    {
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>A flow to <paramref name="destination"/> through <paramref name="egress"/> could not be dialed, because of <paramref name="reason"/>.</summary>
    public void Record(string egress, IPEndPoint destination, string? reason)
    {
        var now = _time.GetUtcNow();
        var timestamp = _time.GetTimestamp();
        var tally = _tallies.GetOrAdd(egress, static _ => new Tally());
        var error = Describe(destination, reason);
        long unreported;
        DateTimeOffset since;
        lock (tally)
        {
            tally.Count++;
            tally.LastError = error;
            tally.LastAt = now;
            tally.Unreported++;
            if (tally.WarnedAt is not null && _time.GetElapsedTime(tally.WarnedTimestamp, timestamp) < WarningInterval)
            {
                return;
            }

            unreported = tally.Unreported;
            since = tally.WarnedAt ?? now;
            tally.Unreported = 0;
            tally.WarnedAt = now;
            tally.WarnedTimestamp = timestamp;
        }

        if (_logger is not null)
        {
            RelayLog.EgressDialsFailing(_logger, egress, unreported, since, error);
        }
    }

    /// <summary>What <paramref name="egress"/> could not dial so far, or null when nothing failed through it.</summary>
    public DialFailureSummary? Of(string egress)
    {
        if (!_tallies.TryGetValue(egress, out var tally))
        {
            return null;
        }

        lock (tally)
        {
            return new DialFailureSummary(tally.Count, tally.LastError, tally.LastAt);
        }
    }

    /// <summary>"DESTINATION: REASON" (always prefixed: a reason that names an address may name another one).</summary>
    internal static string Describe(IPEndPoint destination, string? reason) =>
        string.IsNullOrEmpty(reason) ? $"{destination}: failed" : $"{destination}: {reason}";

    private sealed class Tally
    {
        public long Count;
        public string LastError = "";
        public DateTimeOffset LastAt;
        public long Unreported;
        public DateTimeOffset? WarnedAt;
        public long WarnedTimestamp;
    }
}

/// <summary>How many flows an egress could not dial, and the last one's error ("DESTINATION: REASON") and time.</summary>
internal readonly record struct DialFailureSummary(long Count, string LastError, DateTimeOffset LastAt);
