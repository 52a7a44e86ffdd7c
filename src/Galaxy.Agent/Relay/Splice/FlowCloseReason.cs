namespace Galaxy.Agent.Relay.Splice;

/// <summary>Why a relayed flow ended; the first reason wins.</summary>
internal enum FlowCloseReason
{
    /// <summary>Both sides finished sending (FIN each way) and every byte was delivered.</summary>
    Completed,

    /// <summary>The LAN client reset the connection; the upstream was reset too.</summary>
    ClientReset,

    /// <summary>The upstream reset (or vanished); the client was reset too.</summary>
    UpstreamReset,

    /// <summary>No byte moved either way for the idle timeout.</summary>
    IdleTimeout,

    /// <summary>The control plane closed it (its egress went down, an operator asked).</summary>
    Closed,

    /// <summary>The upstream connection, started by the loop, failed (refused, unreachable, timed out); the client was reset.</summary>
    DialFailed,

    /// <summary>The relay could not continue (out of descriptors for a pipe, an unexpected errno).</summary>
    Failed,
}
