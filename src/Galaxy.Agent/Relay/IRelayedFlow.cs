namespace Galaxy.Agent.Relay;

/// <summary>What the flow registry needs of a live flow: its byte counters and a way to end it from any thread.</summary>
internal interface IRelayedFlow
{
    /// <summary>Bytes delivered from the client towards the destination (read from any thread).</summary>
    long BytesUp { get; }

    /// <summary>Bytes delivered from the destination back to the client (read from any thread).</summary>
    long BytesDown { get; }

    /// <summary>Asks the flow's owner (its loop's thread) to close it; returns at once.</summary>
    void RequestClose();
}
