namespace Galaxy.Netlink.Core;

/// <summary>What one receive on a netlink socket gave: the data path returns this instead of throwing.</summary>
internal enum ReceiveOutcome
{
    /// <summary>A datagram arrived.</summary>
    Data,

    /// <summary>Nothing is queued (non-blocking read) or the wait timed out.</summary>
    Empty,

    /// <summary>The kernel dropped messages for lack of buffer space (ENOBUFS): resynchronise.</summary>
    Overrun,

    /// <summary>A datagram was larger than the receive buffer and was cut.</summary>
    Truncated,
}
