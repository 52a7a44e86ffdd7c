using Galaxy.Agent.Config;

namespace Galaxy.Agent.Agent;

/// <summary>Which driver supervises which kind of egress.</summary>
internal static class TunnelDrivers
{
    public static ITunnelDriver? Create(EgressRuntime egress, GalaxyConfig config, ILoggerFactoryLite logs) => egress.Config switch
    {
        OpenVpnEgressConfig => throw new NotSupportedException("OpenVPN supervision is not wired yet"),
        _ => null,
    };
}
