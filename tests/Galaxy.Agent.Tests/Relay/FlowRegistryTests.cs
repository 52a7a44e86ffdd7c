using System.Net;
using Galaxy.Agent.Relay;

namespace Galaxy.Agent.Tests.Relay;

public sealed class FlowRegistryTests
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("198.51.100.2"), 40000);
    private static readonly IPEndPoint Destination = new(IPAddress.Parse("203.0.113.10"), 443);

    [Fact]
    public void A_snapshot_shows_each_flow_with_its_egress_start_time_and_bytes()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 11, 26, 1, 0, 0, TimeSpan.Zero));
        var registry = new FlowRegistry(time);
        var registration = registry.Begin(FlowProtocol.Tcp, Client, Destination, "wg0");
        var dialing = Assert.Single(registry.Snapshot());
        Assert.False(dialing.Connected, $"a flow not yet attached is still dialing; saw {dialing}");

        Assert.True(registration.Attach(new FakeFlow { BytesUp = 10, BytesDown = 20 }));

        Assert.Equal(new FlowInfo(registration.Id, FlowProtocol.Tcp, Client, Destination, "wg0", time.GetUtcNow(), 10, 20, true),
            Assert.Single(registry.Snapshot()));
    }

    [Fact]
    public void Closing_an_egress_closes_its_flows_only_and_counts_them()
    {
        var registry = new FlowRegistry();
        var a1 = new FakeFlow();
        var a2 = new FakeFlow();
        var b = new FakeFlow();
        registry.Begin(FlowProtocol.Tcp, Client, Destination, "a").Attach(a1);
        registry.Begin(FlowProtocol.Udp, Client, Destination, "a").Attach(a2);
        registry.Begin(FlowProtocol.Tcp, Client, Destination, "b").Attach(b);

        Assert.Equal(2, registry.CloseFlows("a"));

        Assert.Equal((1, 1, 0), (a1.CloseRequests, a2.CloseRequests, b.CloseRequests));
        Assert.Equal(0, registry.CloseFlows("nobody"));
    }

    [Fact]
    public void A_flow_closed_while_it_dials_is_refused_when_it_attaches()
    {
        var registry = new FlowRegistry();
        var registration = registry.Begin(FlowProtocol.Tcp, Client, Destination, "a");

        Assert.Equal(1, registry.CloseFlows("a"));
        var flow = new FakeFlow();

        Assert.True(registration.CloseRequested);
        Assert.False(registration.Attach(flow), "a flow whose egress was closed during its dial must not start");
        Assert.Equal(0, flow.CloseRequests);
    }

    [Fact]
    public void A_flow_routed_before_its_egress_was_closed_and_registered_after_starts_closed()
    {
        // The relay routed the flow to "a" (then up), the agent took "a" down and closed its flows, and only then did
        // the relay register the flow: the close never saw it, so the registration must carry it.
        var registry = new FlowRegistry();
        var routedAt = registry.Epoch;
        Assert.Equal(0, registry.CloseFlows("a"));

        var late = registry.Begin(FlowProtocol.Tcp, Client, Destination, "a", routedAt: routedAt);
        var other = registry.Begin(FlowProtocol.Tcp, Client, Destination, "b", routedAt: routedAt);
        var routedAfter = registry.Begin(FlowProtocol.Udp, Client, Destination, "a", routedAt: registry.Epoch);

        Assert.True(late.CloseRequested, "a flow routed before the close must start closed");
        Assert.False(late.Attach(new FakeFlow()));
        Assert.False(other.CloseRequested, "another egress's close says nothing about this flow");
        Assert.False(routedAfter.CloseRequested, "a flow routed after the close saw the egress as it is now");
        Assert.Equal(3, registry.Count); // registered all the same: the relay ends them as it does any refused flow
        Assert.True(registry.ClosedSince("a", routedAt), "a relay can ask before it dials");
        Assert.False(registry.ClosedSince("a", registry.Epoch));
        Assert.False(registry.ClosedSince("a", null));
    }

    [Fact]
    public void Closing_twice_asks_the_flow_once_and_an_ended_flow_reports_its_final_bytes()
    {
        var ended = new List<FlowInfo>();
        var registry = new FlowRegistry(ended: ended.Add);
        var flow = new FakeFlow();
        var registration = registry.Begin(FlowProtocol.Tcp, Client, Destination, "a");
        registration.Attach(flow);

        Assert.True(registry.Close(registration.Id));
        Assert.True(registry.Close(registration.Id));
        flow.BytesUp = 7;
        registry.End(registration);
        registry.End(registration);

        Assert.Equal(1, flow.CloseRequests);
        Assert.Equal(7, Assert.Single(ended).BytesUp);
        Assert.Equal(0, registry.Count);
        Assert.False(registry.Close(registration.Id), "an ended flow is gone");
    }

    private sealed class FakeFlow : IRelayedFlow
    {
        public long BytesUp { get; set; }

        public long BytesDown { get; set; }

        public int CloseRequests { get; private set; }

        public void RequestClose() => CloseRequests++;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
