using System.Net;
using Galaxy.Agent.Agent;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Tunnels.Ssh;

namespace Galaxy.Agent.Tests.Tunnels.Ssh;

public sealed class SshPoolTests
{
    private sealed class Recorder(string name) : IEgressDialer
    {
        public string Name { get; } = name;

        public int Dials { get; private set; }

        public ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken)
        {
            Dials++;
            return ValueTask.FromResult(DialResult.Failure(DialOutcome.Refused, Name));
        }

        public DialResult DialUdp(IPEndPoint destination) => DialResult.Failure(DialOutcome.Rejected, Name);
    }

    /// <summary>A connection whose dial can start in the splice loop (as the agent's SOCKS5-over-loopback ones can).</summary>
    private sealed class InLoopRecorder(string name) : IInLoopConnectDialer
    {
        public string Name { get; } = name;

        public int Starts { get; private set; }

        public bool CanStartInLoop => true;

        public TimeSpan ConnectTimeout => TimeSpan.FromSeconds(3);

        public DialResult StartConnect(IPEndPoint destination, out IUpstreamHandshake? handshake)
        {
            Starts++;
            handshake = null;
            return DialResult.Failure(DialOutcome.Refused, Name);
        }

        public ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("an in-loop pool must not dial asynchronously");

        public DialResult DialUdp(IPEndPoint destination) => DialResult.Failure(DialOutcome.Rejected, Name);
    }

    private static readonly IPEndPoint Web = new(IPAddress.Parse("203.0.113.10"), 80);

    [Fact]
    public void A_pool_of_in_loop_connections_starts_in_the_loop_round_robin_over_those_up()
    {
        var connections = Enumerable.Range(0, 3).Select(i => new InLoopRecorder($"c{i}")).ToList();
        var pool = new SshPoolDialer("nyc", connections);
        Assert.True(pool.CanStartInLoop);
        Assert.Equal(TimeSpan.FromSeconds(3), pool.ConnectTimeout);
        Assert.Equal(DialOutcome.Unreachable, pool.StartConnect(Web, out _).Outcome);

        pool.SetUp(0, true);
        pool.SetUp(2, true);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(DialOutcome.Refused, pool.StartConnect(Web, out var handshake).Outcome);
            Assert.Null(handshake);
        }

        Assert.Equal([5, 0, 5], connections.Select(c => c.Starts));
        Assert.False(new SshPoolDialer("mixed", [new InLoopRecorder("c0"), new Recorder("c1")]).CanStartInLoop);
    }

    [Fact]
    public async Task Flows_are_spread_evenly_over_the_connections_that_are_up()
    {
        var connections = Enumerable.Range(0, 4).Select(i => new Recorder($"c{i}")).ToList();
        var pool = new SshPoolDialer("nyc", connections);
        foreach (var i in (int[])[0, 1, 3])
        {
            pool.SetUp(i, true);
        }

        for (var i = 0; i < 30; i++)
        {
            await pool.DialTcpAsync(Web, TestContext.Current.CancellationToken);
        }

        Assert.Equal([10, 10, 0, 10], connections.Select(c => c.Dials));
    }

    [Fact]
    public async Task With_no_connection_up_a_flow_fails_at_once_and_UDP_is_always_rejected()
    {
        var pool = new SshPoolDialer("nyc", [new Recorder("c0"), new Recorder("c1")]);

        var tcp = await pool.DialTcpAsync(Web, TestContext.Current.CancellationToken);
        Assert.Equal(DialOutcome.Unreachable, tcp.Outcome);
        pool.SetUp(0, true);
        var udp = pool.DialUdp(Web);
        Assert.Equal(DialOutcome.Rejected, udp.Outcome);
        Assert.Contains("TCP only", udp.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_egress_is_up_while_one_connection_is_and_otherwise_says_the_first_failure()
    {
        var up = SshDriver.Aggregate([new SshConnectionStatus(0, false, "exited", "ssh exited with code 255"), new SshConnectionStatus(1, true, "connected", null)]);
        Assert.True(up.Connected);
        Assert.Equal("1 of 2 ssh connections up", up.Reason);

        var down = SshDriver.Aggregate([null, new SshConnectionStatus(1, false, "host-key-mismatch", "host key verification failed: …")]);
        Assert.False(down.Connected);
        Assert.Equal("host-key-mismatch", down.State);
        Assert.StartsWith("host key verification failed", down.Reason, StringComparison.Ordinal);
    }
}
