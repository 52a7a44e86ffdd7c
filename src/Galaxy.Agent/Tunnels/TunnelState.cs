namespace Galaxy.Agent.Tunnels;

/// <summary>Where a tunnel of any kind stands, as its supervisor sees it.</summary>
internal enum TunnelState
{
    /// <summary>Not started, or stopped by its owner.</summary>
    Stopped,

    /// <summary>The first attempt of this run is under way (or waits for the owner to release it).</summary>
    Connecting,

    /// <summary>Up: the tunnel carries traffic.</summary>
    Connected,

    /// <summary>Was up or failed an attempt, and tries again on the backoff schedule.</summary>
    Reconnecting,

    /// <summary>The tunnel program ended on its own; the supervisor restarts it after a backoff.</summary>
    Exited,

    /// <summary>Credentials or the client certificate were refused; no retry until the owner restarts it.</summary>
    AuthFailed,

    /// <summary>The tunnel program refused its configuration; no retry until the owner restarts it.</summary>
    ConfigError,
}
