using System.Net;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>The lab builds real networks: client → router → server, with a real TCP exchange.</summary>
public sealed class LabTopologyTests
{
    private const string ClientAddress = "198.51.100.2";
    private const string ServerAddress = "203.0.113.10";

    [Fact]
    public async Task Tcp_exchange_crosses_the_router()
    {
        LabPrerequisites.RequireTools("socat");
        await using var lab = Lab.Create();
        var client = await lab.AddHostAsync("client");
        var router = await lab.AddHostAsync("router");
        var server = await lab.AddHostAsync("server");
        await lab.ConnectAsync(client, "eth0", router, "lan0");
        await lab.ConnectAsync(router, "wan0", server, "eth0");
        await client.AddAddressAsync("eth0", $"{ClientAddress}/24");
        await router.AddAddressAsync("lan0", "198.51.100.1/24");
        await router.AddAddressAsync("wan0", "203.0.113.1/24");
        await server.AddAddressAsync("eth0", $"{ServerAddress}/24");
        await client.AddRouteAsync("default", "via", "198.51.100.1");
        await server.AddRouteAsync("default", "via", "203.0.113.1");
        await router.SetSysctlAsync("net.ipv4.ip_forward", "1");

        server.Start("socat", "TCP-LISTEN:7000,reuseaddr", "EXEC:cat");
        await server.WaitForListenerAsync(7000);
        var capture = await router.CaptureAsync("wan0", "tcp port 7000");

        const string message = "hello through the router\n";
        var exchange = await client.RunAsync(["socat", "-t", "5", "-", $"TCP:{ServerAddress}:7000"], stdin: message);

        var packets = await capture.StopAsync();
        Assert.True(exchange.Succeeded, exchange.Describe());
        Assert.Equal(message, exchange.StandardOutput);

        // The router forwarded the connection unmodified: the server side saw the client's own address.
        var client4 = IPAddress.Parse(ClientAddress);
        var server4 = IPAddress.Parse(ServerAddress);
        Assert.True(
            packets.Any(p => p.IsTcp && p.TcpFlags == TcpFlags.Syn && Equals(p.Source, client4) && Equals(p.Destination, server4) && p.DestinationPort == 7000),
            $"expected the client's SYN to {ServerAddress}:7000 on the router's wan0; saw:\n{CapturedPacket.Describe(packets)}");
        Assert.True(
            packets.Any(p => p.IsTcp && Equals(p.Source, server4) && p.PayloadLength == message.Length),
            $"expected the server's {message.Length}-byte echo on wan0; saw:\n{CapturedPacket.Describe(packets)}");
    }

    [Fact]
    public async Task Without_forwarding_the_router_carries_nothing()
    {
        LabPrerequisites.RequireTools("socat");
        await using var lab = Lab.Create();
        var client = await lab.AddHostAsync("client");
        var router = await lab.AddHostAsync("router");
        var server = await lab.AddHostAsync("server");
        await lab.ConnectAsync(client, "eth0", router, "lan0");
        await lab.ConnectAsync(router, "wan0", server, "eth0");
        await client.AddAddressAsync("eth0", $"{ClientAddress}/24");
        await router.AddAddressAsync("lan0", "198.51.100.1/24");
        await router.AddAddressAsync("wan0", "203.0.113.1/24");
        await server.AddAddressAsync("eth0", $"{ServerAddress}/24");
        await client.AddRouteAsync("default", "via", "198.51.100.1");
        await server.AddRouteAsync("default", "via", "203.0.113.1");
        await router.SetSysctlAsync("net.ipv4.ip_forward", "0");

        server.Start("socat", "TCP-LISTEN:7000,reuseaddr", "EXEC:cat");
        await server.WaitForListenerAsync(7000);
        var capture = await router.CaptureAsync("wan0");

        var exchange = await client.RunAsync("socat", "-T", "2", "-", $"TCP:{ServerAddress}:7000,connect-timeout=2");

        var packets = await capture.StopAsync();
        Assert.False(exchange.Succeeded, $"the connection must fail when the router does not forward; {exchange.Describe()}");
        Assert.DoesNotContain(packets, p => Equals(p.Source, IPAddress.Parse(ClientAddress)));
    }
}
