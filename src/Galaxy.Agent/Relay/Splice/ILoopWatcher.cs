namespace Galaxy.Agent.Relay.Splice;

/// <summary>
/// A descriptor a splice loop watches besides its flows' sockets: a listener it accepts from, or a new flow
/// whose first bytes it waits for. Called on the loop's thread only, and must not throw.
/// </summary>
internal interface ILoopWatcher
{
    /// <summary>The descriptor is ready (the epoll events that came).</summary>
    void OnReady(uint events);

    /// <summary>The loop stops while this is still watched: let go of what it holds.</summary>
    void Abandon();
}
