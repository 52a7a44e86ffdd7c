using Galaxy.Agent.Config;

namespace Galaxy.Agent.Agent;

/// <summary>Which driver supervises which kind of egress.</summary>
internal static class TunnelDrivers
{
    public static ITunnelDriver? Create(EgressRuntime egress, GalaxyConfig config, ILoggerFactoryLite logs) => egress.Config switch
    {
        OpenVpnEgressConfig openVpn => new OpenVpnDriver(egress, openVpn, egress.PinnedRemotes, config.Router.RuntimeDirectory, logs),
        SshEgressConfig ssh => new SshDriver(egress, ssh, egress.Via?.Device, logs),
        _ => null,
    };
}
