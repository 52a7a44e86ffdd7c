using System.Net;

namespace Galaxy.Agent.Egress;

/// <summary>Opens the upstream side of a relayed flow through one egress.</summary>
internal interface IEgressDialer
{
    /// <summary>The egress's name, for logs and accounting.</summary>
    string Name { get; }

    /// <summary>Connects to <paramref name="destination"/> through this egress and nowhere else.</summary>
    ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken);
}
