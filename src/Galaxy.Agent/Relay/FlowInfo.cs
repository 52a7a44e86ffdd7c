using System.Net;

namespace Galaxy.Agent.Relay;

/// <summary>
/// One relayed flow as the rest of the agent sees it: who, where to, through which egress, since when, and
/// the bytes moved so far (up = client to destination, down = back). <see cref="Connected"/> is false while
/// the egress is still being dialed.
/// </summary>
internal sealed record FlowInfo(
    long Id,
    FlowProtocol Protocol,
    IPEndPoint Client,
    IPEndPoint Destination,
    string Egress,
    DateTimeOffset Started,
    long BytesUp,
    long BytesDown,
    bool Connected,
    string? Rule = null);
