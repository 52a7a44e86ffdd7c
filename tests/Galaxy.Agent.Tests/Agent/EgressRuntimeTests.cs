using System.Net;
using Galaxy.Agent.Agent;
using Galaxy.Agent.Config;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Firewall;
using Galaxy.Agent.Routing.Policy;

namespace Galaxy.Agent.Tests.Agent;

public sealed class EgressRuntimeTests
{
    private static readonly IPAddress Proxy = IPAddress.Parse("198.51.100.5");

    [Fact]
    public void A_SOCKS5_proxy_s_UDP_relay_ports_are_open_only_while_the_egress_is_up_its_TCP_port_always()
    {
        var config = new ProxyEgressConfig("proxy", 1, "socks5", new Uri("socks5://198.51.100.5:1080"));
        var tcp = new WanEndpoint(Proxy, 1080, Tcp: true);
        var udp = new WanEndpoint(Proxy, WanEndpoint.AnyPort, Tcp: false);
        var egress = new EgressRuntime(config, new EgressSlot(0), BlockDialer.Reject("proxy"), null) { Endpoints = [tcp, udp] };

        // Down (as at start, in lockdown, in the closed fallback): the health check's TCP port only.
        Assert.Equal([tcp], egress.ToFirewall().Endpoints);

        egress.SetUp(true);
        Assert.Equal([tcp, udp], egress.ToFirewall().Endpoints);

        egress.SetUp(false);
        Assert.Equal([tcp], egress.ToFirewall().Endpoints);
    }
}
