using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;

namespace Galaxy.Agent.Relay;

/// <summary>
/// Every flow the relays are carrying, readable and closable from any thread: the accounting the rest of the
/// agent reads (bytes each way, start time, egress) and the handle the kill switch pulls
/// (<see cref="CloseFlows"/>). The relays register a flow before dialing its egress and remove it when it
/// ends; <paramref name="ended"/> hears each flow's final accounting (on the relay's thread: keep it short).
/// </summary>
internal sealed class FlowRegistry(TimeProvider? time = null, Action<FlowInfo>? ended = null)
{
    private readonly ConcurrentDictionary<long, FlowRegistration> _flows = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, StrongBox<int>> _perEgress = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>> _closedAt = new(StringComparer.Ordinal);
    private long _nextId;
    private long _epoch;

    /// <summary>Flows registered now (dialing or running).</summary>
    public int Count => _flows.Count;

    /// <summary>
    /// The number of <see cref="CloseFlows"/> calls so far. A relay reads it before it routes a flow and hands it to
    /// <see cref="Begin"/>: a flow routed to an egress whose flows were closed after that moment (so the close did
    /// not see it yet) starts closed. Egresses go down before their flows are closed, so a flow routed after the
    /// close's epoch saw the egress down and was never routed to it.
    /// </summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>
    /// Registers a new flow before its egress is dialed. <paramref name="routedAt"/>: the <see cref="Epoch"/> read
    /// before the flow was routed (null: no check); when <paramref name="egress"/>'s flows were closed since, the
    /// flow is registered with its close already requested, and must not start.
    /// </summary>
    public FlowRegistration Begin(FlowProtocol protocol, IPEndPoint client, IPEndPoint destination, string egress, string? rule = null, long? routedAt = null)
    {
        var registration = new FlowRegistration(Interlocked.Increment(ref _nextId), protocol, client, destination, egress, _time.GetUtcNow(), rule);
        _flows[registration.Id] = registration;
        Interlocked.Increment(ref _perEgress.GetOrAdd(egress, static _ => new StrongBox<int>()).Value);

        // Either CloseFlows already marked this egress closed (read here, after the flow is in the table), or its
        // walk over the table comes after the flow is in it: a close never misses the flow.
        Interlocked.MemoryBarrier();
        if (ClosedSince(egress, routedAt))
        {
            registration.RequestClose();
        }

        return registration;
    }

    /// <summary>
    /// Whether <paramref name="egress"/>'s flows were closed after <paramref name="routedAt"/> (an <see cref="Epoch"/>
    /// read before routing; null: no check): a flow routed then must not start. A relay may ask before it dials;
    /// <see cref="Begin"/> asks again once the flow is registered.
    /// </summary>
    public bool ClosedSince(string egress, long? routedAt) =>
        routedAt is { } epoch && _closedAt.TryGetValue(egress, out var closed) && Interlocked.Read(ref closed.Value) > epoch;

    /// <summary>Removes an ended flow and reports its final accounting.</summary>
    public void End(FlowRegistration registration)
    {
        if (_flows.TryRemove(registration.Id, out _))
        {
            Interlocked.Decrement(ref _perEgress[registration.Egress].Value);
            ended?.Invoke(registration.Snapshot());
        }
    }

    /// <summary>Flows registered now through the egress named <paramref name="egress"/> (for least-connections groups).</summary>
    public int ConnectionsOf(string egress) => _perEgress.TryGetValue(egress, out var count) ? Volatile.Read(ref count.Value) : 0;

    /// <summary>The flows now, with their byte counts at this moment (oldest first).</summary>
    public IReadOnlyList<FlowInfo> Snapshot() =>
        _flows.Values.Select(r => r.Snapshot()).OrderBy(f => f.Id).ToArray();

    /// <summary>Closes one flow (TCP: both sides are reset); false when no flow has that id.</summary>
    public bool Close(long id)
    {
        if (!_flows.TryGetValue(id, out var registration))
        {
            return false;
        }

        registration.RequestClose();
        return true;
    }

    /// <summary>
    /// Closes every flow of the egress named <paramref name="egressName"/>, also those still dialing it (they
    /// are dropped before they start); returns how many. The closes happen on the relays' threads right after.
    /// </summary>
    public int CloseFlows(string egressName)
    {
        ArgumentNullException.ThrowIfNull(egressName);

        // Marked before the walk: a flow routed before now and registered after the walk sees the mark (Begin).
        var epoch = Interlocked.Increment(ref _epoch);
        var closedAt = _closedAt.GetOrAdd(egressName, static _ => new StrongBox<long>());
        for (var seen = Interlocked.Read(ref closedAt.Value); seen < epoch;)
        {
            var was = Interlocked.CompareExchange(ref closedAt.Value, epoch, seen);
            seen = was == seen ? epoch : was;
        }

        Interlocked.MemoryBarrier();
        var count = 0;
        foreach (var registration in _flows.Values)
        {
            if (string.Equals(registration.Egress, egressName, StringComparison.Ordinal))
            {
                registration.RequestClose();
                count++;
            }
        }

        return count;
    }
}
