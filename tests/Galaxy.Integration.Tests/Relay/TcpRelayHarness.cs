using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Agent.Relay.Tcp;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// A TCP relay in the router of a <see cref="TproxyLab"/>: listeners on 127.0.0.1 and ::1 (both TPROXY
/// targets), one splice loop, one egress; closed flows are reported on <see cref="Closed"/>.
/// </summary>
internal sealed class TcpRelayHarness : IAsyncDisposable
{
    private readonly TcpRelay[] _relays;

    private TcpRelayHarness(TcpRelay[] relays, SpliceLoop loop, Channel<FlowSummary> closed)
    {
        _relays = relays;
        Loop = loop;
        Closed = closed;
    }

    public SpliceLoop Loop { get; }

    public Channel<FlowSummary> Closed { get; }

    public long Refused => _relays.Sum(r => r.Refused);

    /// <summary>The relay dialing through wan0 with the egress mark.</summary>
    public static TcpRelayHarness Start(TproxyLab lab, TcpRelayOptions? options = null) =>
        Start(lab, new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5), lab.RouterSockets), options);

    public static TcpRelayHarness Start(TproxyLab lab, IEgressDialer dialer, TcpRelayOptions? options = null) =>
        Start(lab, (_, _, _) => new FlowRoute(dialer), options);

    public static TcpRelayHarness Start(TproxyLab lab, TcpRoute route, TcpRelayOptions? options = null, FlowRegistry? registry = null)
    {
        options ??= new TcpRelayOptions();
        var closed = Channel.CreateUnbounded<FlowSummary>();
        var loop = new SpliceLoop("test-splice", options.IdleTimeout);
        var relays = new List<TcpRelay>();
        foreach (var family in (AddressFamily[])[AddressFamily.InterNetwork, AddressFamily.InterNetworkV6])
        {
            var listener = TcpRelay.Listen(TproxyLab.RelayEndPoint(family), options.Backlog, lab.RouterSockets);
            var relay = new TcpRelay(listener, route, [loop], options, s => closed.Writer.TryWrite(s), registry);
            relay.Start();
            relays.Add(relay);
        }

        return new TcpRelayHarness([.. relays], loop, closed);
    }

    /// <summary>The summary of the next flow to end; fails after <paramref name="timeout"/>.</summary>
    public Task<FlowSummary> NextClosedAsync(TimeSpan timeout) =>
        Bounded.WithinAsync(Closed.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask(), timeout, "a relayed flow ends");

    public async ValueTask DisposeAsync()
    {
        foreach (var relay in _relays)
        {
            await relay.DisposeAsync();
        }

        Loop.Dispose();
    }
}
