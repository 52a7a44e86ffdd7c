using System.Net;

namespace Galaxy.Agent.Egress;

/// <summary>
/// An egress that carries nothing. <c>reject</c> refuses loudly (the TCP client gets a reset, a UDP client an
/// ICMP port unreachable); <c>drop</c> refuses silently (the client hears nothing more).
/// </summary>
internal sealed class BlockDialer : IEgressDialer
{
    private readonly DialOutcome _outcome;

    private BlockDialer(string name, DialOutcome outcome)
    {
        Name = name;
        _outcome = outcome;
    }

    public string Name { get; }

    public static BlockDialer Reject(string name = "reject") => new(name, DialOutcome.Rejected);

    public static BlockDialer Drop(string name = "drop") => new(name, DialOutcome.Dropped);

    public ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken) =>
        ValueTask.FromResult(DialUdp(destination));

    public DialResult DialUdp(IPEndPoint destination) =>
        DialResult.Failure(_outcome, $"{Name}: {destination} is {(_outcome == DialOutcome.Dropped ? "dropped" : "rejected")} by policy");

    public override string ToString() => Name;
}
