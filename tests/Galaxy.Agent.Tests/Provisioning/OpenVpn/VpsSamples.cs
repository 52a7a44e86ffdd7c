using Galaxy.Agent.Provisioning.OpenVpn;
using Galaxy.Agent.Tunnels.OpenVpn;

namespace Galaxy.Agent.Tests.Provisioning.OpenVpn;

internal static class VpsSamples
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    public static VpsServerSpec Spec(string endpoint = "203.0.113.1", OvpnTransport transport = OvpnTransport.Udp, string subnet = TunnelSubnet.Default, string name = "home")
    {
        Assert.True(VpsEndpoint.TryParse(endpoint, out var parsed, out var error), error);
        Assert.True(TunnelSubnet.TryParse(subnet, out var network, out error), error);
        return new VpsServerSpec(name, parsed!, transport, network!);
    }

    public static VpsServerBundle Bundle(VpsServerSpec? spec = null) => VpsServerBundle.Create(spec ?? Spec(), new FixedTime(Now));

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
