using System.Net;

namespace Galaxy.Agent.Egress;

/// <summary>Opens the upstream side of a relayed flow through one egress.</summary>
internal interface IEgressDialer
{
    /// <summary>The egress's name, for logs and accounting.</summary>
    string Name { get; }

    /// <summary>Connects to <paramref name="destination"/> through this egress and nowhere else.</summary>
    ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken);

    /// <summary>
    /// A UDP socket whose datagrams reach <paramref name="destination"/> through this egress (connected, so
    /// replies from anyone else are dropped by the kernel), or <see cref="DialOutcome.Rejected"/> when the
    /// egress cannot carry UDP: such a flow is refused, never sent elsewhere.
    /// </summary>
    DialResult DialUdp(IPEndPoint destination);
}
