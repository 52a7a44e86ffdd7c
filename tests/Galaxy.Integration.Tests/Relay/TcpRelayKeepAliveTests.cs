using System.Diagnostics;
using System.Net.Sockets;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Agent.Relay.Tcp;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// Keepalive on both sides of a relayed flow: when one peer vanishes without a word (a VM switched off, a
/// server cut off), the relay's probes go unanswered and the flow ends, instead of holding its two descriptors
/// until the idle timeout hours later.
/// </summary>
public sealed class TcpRelayKeepAliveTests
{
    private const int EchoPort = 7;

    [Theory(Timeout = 40_000)]
    [InlineData("client")]
    [InlineData("server")]
    public async Task A_peer_that_vanishes_is_found_by_keepalive_and_its_flow_ends(string side)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var lab = await TproxyLab.CreateAsync();
        await using var echo = TcpEchoServer.Start(lab.Server, TproxyLab.ServerEndPoint(EchoPort));
        var options = new TcpRelayOptions { KeepAlive = new TcpKeepAlive(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 2) };
        await using var relay = TcpRelayHarness.Start(lab, options);

        using var client = await LabTcp.ConnectAsync(lab.Client, TproxyLab.ServerEndPoint(EchoPort), TimeSpan.FromSeconds(5));
        await LabTcp.SendAllAsync(client, "x"u8.ToArray(), cancellationToken);
        var (bytes, error) = await LabTcp.ReceiveOnceAsync(client, new byte[1], TimeSpan.FromSeconds(5));
        var sinceLastSegment = Stopwatch.StartNew();
        Assert.True((bytes, error) == (1, SocketError.Success), $"expected the echo, saw {bytes} bytes, {error}");

        // That side's host goes silent: nothing in or out, so no probe is answered and no reset is sent.
        var host = side == "client" ? lab.Client : lab.Server;
        await host.RunCheckedAsync(["nft", "-f", "-"], stdin: """
            table inet silent {
              chain input { type filter hook input priority 0; policy drop; }
              chain output { type filter hook output priority 0; policy drop; }
            }
            """);

        // 1 s of silence, then two probes 1 s apart: the flow ends about 3 s after its last segment, not at the
        // 2 h idle timeout, and not before its probes went unanswered.
        var summary = await relay.NextClosedAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(side == "client" ? FlowCloseReason.ClientReset : FlowCloseReason.UpstreamReset, summary.Reason);
        Assert.True(sinceLastSegment.Elapsed >= TimeSpan.FromSeconds(2),
            $"the flow ended {sinceLastSegment.Elapsed.TotalSeconds:0.0} s after its last segment, before its probes could go unanswered");
        await Bounded.WaitUntilAsync(() => relay.Loop.FlowCount == 0, TimeSpan.FromSeconds(5), "the loop lets go of the flow",
            () => $"{relay.Loop.FlowCount} flows");
    }
}
