using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Agent;

/// <summary>
/// Measures the members of lowest-latency groups: a TCP connect to the group's probe address through each
/// member that is up, one member at a time (so probes never compete with each other), every probe interval.
/// A failed or timed-out probe forgets the member's latency; the group then prefers measured members.
/// </summary>
internal sealed class LatencyProber(FlowRouter router, IReadOnlyDictionary<string, EgressRuntime> egresses, ILogger logger)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var groups = router.Plan.Settings.Groups.Where(g => g is { Strategy: "lowest-latency", Probe: not null }).ToList();
                var interval = groups.Count == 0 ? TimeSpan.FromSeconds(30) : groups.Min(g => g.ProbeInterval);
                foreach (var group in groups)
                {
                    foreach (var member in group.Members)
                    {
                        if (egresses.TryGetValue(member, out var egress) && egress.IsUp)
                        {
                            var latency = await ProbeAsync(egress, group.Probe!, cancellationToken).ConfigureAwait(false);
                            router.ReportLatency(member, latency);
                            AgentLog.LatencyProbed(logger, member, group.Probe!, latency?.TotalMilliseconds ?? -1);
                        }
                        else
                        {
                            router.ReportLatency(member, null);
                        }
                    }
                }

                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<TimeSpan?> ProbeAsync(EgressRuntime egress, System.Net.IPEndPoint probe, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ProbeTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var dial = await egress.Dialer.DialTcpAsync(probe, deadline.Token).ConfigureAwait(false);
            using var socket = dial.Socket;
            return socket is null ? null : Stopwatch.GetElapsedTime(started);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
