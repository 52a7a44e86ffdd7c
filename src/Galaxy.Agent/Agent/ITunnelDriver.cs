namespace Galaxy.Agent.Agent;

/// <summary>
/// The agent's handle on one tunnel process (OpenVPN today, SSH later). A driver starts its process held
/// (sending nothing) and lets it connect only after <see cref="ReleaseHold"/>, which the agent calls once
/// the firewall that confines the process is in place. It reports through the callback given to
/// <see cref="Start"/>; it never touches the firewall or the routes.
/// </summary>
internal interface ITunnelDriver : IAsyncDisposable
{
    void Start(Action<TunnelReport> report);

    void ReleaseHold();
}
