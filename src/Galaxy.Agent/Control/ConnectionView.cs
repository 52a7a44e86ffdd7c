using Galaxy.Agent.Relay;

namespace Galaxy.Agent.Control;

/// <summary>
/// A relayed flow on the wire (<c>GET /v1/connections</c>): <see cref="FlowInfo"/> with the endpoints as text
/// ("198.51.100.7:41000", "[2001:db8::1]:443"), the protocol in lower case, and the rule that chose the egress
/// (null when the default group decided).
/// </summary>
internal sealed record ConnectionView(
    long Id,
    string Protocol,
    string Client,
    string Destination,
    string Egress,
    string? Rule,
    DateTimeOffset Started,
    long BytesUp,
    long BytesDown,
    bool Connected)
{
    public static ConnectionView From(FlowInfo flow) => new(
        flow.Id,
        flow.Protocol == FlowProtocol.Tcp ? "tcp" : "udp",
        flow.Client.ToString(),
        flow.Destination.ToString(),
        flow.Egress,
        flow.Rule,
        flow.Started,
        flow.BytesUp,
        flow.BytesDown,
        flow.Connected);
}
