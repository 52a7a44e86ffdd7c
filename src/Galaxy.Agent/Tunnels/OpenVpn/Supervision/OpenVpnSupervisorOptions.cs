using System.Collections.Immutable;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>How an <see cref="OpenVpnSupervisor"/> runs OpenVPN; the defaults are the agent's.</summary>
internal sealed record OpenVpnSupervisorOptions
{
    /// <summary>
    /// The program that makes OpenVPN die with the agent: <c>setpriv --pdeathsig KILL -- openvpn …</c>
    /// (util-linux; Alpine: util-linux-misc). Null runs OpenVPN directly, which leaves only the management
    /// connection to end it with the agent (OpenVPN exits when its management client goes away).
    /// </summary>
    public string? DeathSignalLauncher { get; init; } = "/usr/bin/setpriv";

    /// <summary>
    /// Words put before everything on the command line, for tests that run OpenVPN in another network
    /// namespace (<c>ip netns exec NAME</c>: it execs, so the death signal still reaches OpenVPN). The agent
    /// itself runs in its own namespace and leaves this empty.
    /// </summary>
    public ImmutableArray<string> CommandPrefix { get; init; } = [];

    /// <summary>The reconnect and restart schedule.</summary>
    public OpenVpnBackoff Backoff { get; init; } = OpenVpnBackoff.Default;

    /// <summary>Seconds between <c>&gt;BYTECOUNT:</c> reports (0: none).</summary>
    public int ByteCountSeconds { get; init; } = 1;

    /// <summary>How long OpenVPN has to connect to the management socket after it starts.</summary>
    public TimeSpan ManagementTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long OpenVPN has to exit after <c>signal SIGTERM</c> before it is killed.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time, for tests.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The jitter's random draw in [0, 1), for tests.</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;
}
