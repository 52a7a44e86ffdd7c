using System.Net;

namespace Galaxy.Agent.Relay;

/// <summary>
/// A flow's entry in the <see cref="FlowRegistry"/>, from before its egress is dialed until it ends. A close
/// asked for while the flow is still dialing is remembered: <see cref="Attach"/> then says no, and the relay
/// drops the flow instead of starting it — so a kill switch never misses a flow that was being dialed.
/// </summary>
internal sealed class FlowRegistration
{
    private readonly Lock _gate = new();
    private IRelayedFlow? _flow;
    private bool _closeRequested;

    internal FlowRegistration(long id, FlowProtocol protocol, IPEndPoint client, IPEndPoint destination, string egress, DateTimeOffset started, string? rule = null)
    {
        Rule = rule;
        Id = id;
        Protocol = protocol;
        Client = client;
        Destination = destination;
        Egress = egress;
        Started = started;
    }

    public long Id { get; }

    public FlowProtocol Protocol { get; }

    public IPEndPoint Client { get; }

    public IPEndPoint Destination { get; }

    public string Egress { get; }

    /// <summary>The rule that routed the flow; null when no rule set is in use.</summary>
    public string? Rule { get; }

    public DateTimeOffset Started { get; }

    public bool CloseRequested
    {
        get
        {
            lock (_gate)
            {
                return _closeRequested;
            }
        }
    }

    /// <summary>Links the running flow; false when a close was asked for meanwhile (the caller then closes it).</summary>
    public bool Attach(IRelayedFlow flow)
    {
        lock (_gate)
        {
            _flow = flow;
            return !_closeRequested;
        }
    }

    /// <summary>Closes the flow now if it runs, or as soon as it is attached.</summary>
    public void RequestClose()
    {
        IRelayedFlow? flow;
        lock (_gate)
        {
            if (_closeRequested)
            {
                return;
            }

            _closeRequested = true;
            flow = _flow;
        }

        flow?.RequestClose();
    }

    public FlowInfo Snapshot()
    {
        IRelayedFlow? flow;
        lock (_gate)
        {
            flow = _flow;
        }

        return new FlowInfo(Id, Protocol, Client, Destination, Egress, Started, flow?.BytesUp ?? 0, flow?.BytesDown ?? 0, flow is not null, Rule);
    }
}
