namespace Galaxy.Agent.Control;

/// <summary>Where and how the control socket listens. Immutable; the defaults are what the agent ships with.</summary>
internal sealed record ControlServerOptions
{
    public const string DefaultSocketPath = "/run/galaxy/galaxy.sock";

    /// <summary>The Unix socket; its directory must belong to Galaxy alone (it is set to 0750 and the group).</summary>
    public string SocketPath { get; init; } = DefaultSocketPath;

    /// <summary>Besides root, members of this group may use the socket (primary or supplementary).</summary>
    public string Group { get; init; } = "galaxy";

    /// <summary>Connections being read or served at once; see <see cref="ControlServer"/> for what happens beyond.</summary>
    public int MaxClients { get; init; } = 64;

    /// <summary>The whole request (line, headers, body) must arrive within this time, else 408.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>/etc/group, for resolving <see cref="Group"/>; tests point it elsewhere.</summary>
    public string GroupFile { get; init; } = "/etc/group";
}
