using System.Net;
using Galaxy.Agent.Relay.Udp;

namespace Galaxy.Agent.Tests.Relay;

public sealed class UdpSessionTableTests
{
    private static UdpFlowKey Key(string client, int clientPort, int destinationPort) =>
        new(new IPEndPoint(IPAddress.Parse(client), clientPort), new IPEndPoint(IPAddress.Parse("203.0.113.10"), destinationPort));

    [Fact]
    public void The_table_never_holds_more_than_its_capacity_and_evicts_the_least_recently_used()
    {
        var table = new UdpSessionTable<string>(capacity: 3, perClient: 100);
        Assert.Null(table.Add(Key("198.51.100.2", 1, 53), "a", now: 0, idleTimeout: 1000));
        Assert.Null(table.Add(Key("198.51.100.3", 1, 53), "b", now: 1, idleTimeout: 1000));
        Assert.Null(table.Add(Key("198.51.100.4", 1, 53), "c", now: 2, idleTimeout: 1000));
        Assert.True(table.TryGet(Key("198.51.100.2", 1, 53), now: 3, out _)); // "a" used again: "b" is now oldest

        Assert.Equal("b", table.Add(Key("198.51.100.5", 1, 53), "d", now: 4, idleTimeout: 1000));
        Assert.Equal(3, table.Count);
        Assert.False(table.TryGet(Key("198.51.100.3", 1, 53), now: 5, out _));
    }

    [Fact]
    public void A_client_at_its_cap_loses_its_own_oldest_session_not_someone_elses()
    {
        var table = new UdpSessionTable<string>(capacity: 100, perClient: 2);
        table.Add(Key("198.51.100.9", 1, 53), "other", now: 0, idleTimeout: 1000);
        table.Add(Key("198.51.100.2", 1, 53), "a1", now: 1, idleTimeout: 1000);
        table.Add(Key("198.51.100.2", 2, 53), "a2", now: 2, idleTimeout: 1000);

        Assert.Equal("a1", table.Add(Key("198.51.100.2", 3, 53), "a3", now: 3, idleTimeout: 1000));
        Assert.True(table.TryGet(Key("198.51.100.9", 1, 53), now: 4, out var other));
        Assert.Equal("other", other);
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void Fifty_thousand_distinct_flows_stay_within_the_cap()
    {
        var table = new UdpSessionTable<object>(capacity: 2048, perClient: 256);
        var evicted = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var client = $"198.51.100.{i % 200}";
            if (table.Add(Key(client, 1024 + (i / 200), 53), new object(), now: i, idleTimeout: 1_000_000) is not null)
            {
                evicted++;
            }

            Assert.True(table.Count <= 2048, $"table grew to {table.Count} after {i + 1} flows");
        }

        Assert.Equal(50_000 - 2048, evicted);
    }

    [Fact]
    public void Each_session_expires_after_its_own_idle_timeout()
    {
        var table = new UdpSessionTable<string>(capacity: 10, perClient: 10);
        table.Add(Key("198.51.100.2", 1, 53), "dns", now: 0, idleTimeout: 20);
        table.Add(Key("198.51.100.2", 2, 443), "quic", now: 0, idleTimeout: 300);
        table.Touch(Key("198.51.100.2", 2, 443), now: 100);

        Assert.Equal(["dns"], table.RemoveExpired(now: 25));
        Assert.Empty(table.RemoveExpired(now: 399));
        Assert.Equal(["quic"], table.RemoveExpired(now: 400));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Original_destination_is_read_from_the_control_data()
    {
        // struct cmsghdr { len 32, level SOL_IP 0, type IP_ORIGDSTADDR 20 } + sockaddr_in 203.0.113.10:5353
        var control = Convert.FromHexString("2000000000000000 00000000 14000000 0200 14e9 cb00710a 0000000000000000".Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.10"), 5353), SocketAddressCodec.ReadOriginalDestination(control));
        Assert.Null(SocketAddressCodec.ReadOriginalDestination(control.AsSpan(0, 20)));
    }
}
