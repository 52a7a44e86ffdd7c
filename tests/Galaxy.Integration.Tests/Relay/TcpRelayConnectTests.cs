using System.Diagnostics;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay.Splice;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// A device dial is finished by the splice loop (a non-blocking connect watched by its epoll): what the client
/// sees when the upstream never answers, and that bytes sent before the upstream connected still arrive.
/// </summary>
public sealed class TcpRelayConnectTests
{
    [Fact(Timeout = 30_000)]
    public async Task An_upstream_that_never_answers_is_given_up_at_the_connect_timeout_and_the_client_is_reset()
    {
        await using var lab = await TproxyLab.CreateAsync();
        // The server swallows every SYN to port 81: the relay's connect can only time out.
        await lab.Server.RunCheckedAsync(["nft", "-f", "-"], stdin: """
            table inet blackhole {
              chain input { type filter hook input priority 0; policy accept; tcp dport 81 drop; }
            }
            """);
        await using var relay = TcpRelayHarness.Start(lab,
            new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(2), lab.RouterSockets));

        var clock = Stopwatch.StartNew();
        var attempt = await lab.Client.RunAsync("curl", "-sS", "--max-time", "10", $"http://{TproxyLab.ServerAddress}:81/");
        clock.Stop();

        // Reset (56, or 7 when it lands before curl checked its connect), not curl's own timeout (28): after
        // the 2 s connect timeout, within the loop's 1 s sweep.
        Assert.True(CurlExit.Reset(attempt.ExitCode), $"expected a reset; {attempt.Describe()}");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(6));
        var summary = await relay.NextClosedAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(FlowCloseReason.DialFailed, summary.Reason);
        Assert.Equal(1, relay.Refused);
    }

    [Fact(Timeout = 30_000)]
    public async Task Bytes_the_client_sends_while_the_upstream_connects_arrive_whole()
    {
        await using var lab = await TproxyLab.CreateAsync();
        var received = Path.Combine(lab.Lab.WorkDirectory, "received");
        lab.Server.Start("socat", "-u", "TCP-LISTEN:80,reuseaddr", "CREATE:" + received);
        await lab.Server.WaitForListenerAsync(80);
        // For now the server swallows SYNs: the relay's first SYN is lost and retransmitted after 1 s.
        await lab.Server.RunCheckedAsync(["nft", "-f", "-"], stdin: """
            table inet slow {
              chain input { type filter hook input priority 0; policy accept; tcp dport 80 drop; }
            }
            """);
        await using var relay = TcpRelayHarness.Start(lab);

        // The client sends everything and its FIN at once (TPROXY completed its handshake); only then may
        // the upstream's handshake complete.
        var payload = string.Concat(Enumerable.Repeat("galaxy-early-bytes ", 500));
        var sent = await lab.Client.RunAsync(["socat", "-u", "STDIN", $"TCP:{TproxyLab.ServerAddress}:80"], stdin: payload);
        Assert.True(sent.Succeeded, sent.Describe());
        Assert.Empty(relay.Closed.Reader.TryPeek(out var early) ? [early] : Array.Empty<FlowSummary>());
        await lab.Server.RunCheckedAsync("nft", "delete", "table", "inet", "slow");

        var summary = await relay.NextClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(FlowCloseReason.Completed, summary.Reason);
        Assert.Equal(payload.Length, summary.BytesUp);
        Assert.Equal(payload, await File.ReadAllTextAsync(received, TestContext.Current.CancellationToken));
    }
}
