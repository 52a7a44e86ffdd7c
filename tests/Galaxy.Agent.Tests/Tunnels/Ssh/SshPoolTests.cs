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

    private static readonly IPEndPoint Web = new(IPAddress.Parse("203.0.113.10"), 80);

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
