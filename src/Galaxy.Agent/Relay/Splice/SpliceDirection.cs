namespace Galaxy.Agent.Relay.Splice;

/// <summary>One direction of a flow: the pipe it holds while bytes are in flight, and what it has moved.</summary>
internal sealed class SpliceDirection
{
    public SplicePipe? Pipe { get; set; }

    /// <summary>The source sent FIN and everything before it was spliced into the pipe.</summary>
    public bool SourceFinished { get; set; }

    /// <summary>FIN was forwarded to the destination (after the pipe drained).</summary>
    public bool FinForwarded { get; set; }

    /// <summary>Bytes delivered to the destination (a field, so other threads can read it with Volatile.Read).</summary>
    public long Bytes;

    public bool Done => FinForwarded;
}
