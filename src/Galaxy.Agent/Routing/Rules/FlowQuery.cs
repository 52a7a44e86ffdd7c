using System.Net;

namespace Galaxy.Agent.Routing.Rules;

/// <summary>What the agent knows about a new flow when it picks its way out.</summary>
/// <param name="Source">The LAN client's address.</param>
/// <param name="LanInterface">The LAN interface it arrived on; null when unknown.</param>
/// <param name="Destination">The original destination (IPv4-mapped IPv6 addresses count as IPv4).</param>
/// <param name="Port">The original destination port.</param>
/// <param name="Protocol">TCP or UDP.</param>
/// <param name="Domain">The name the client asked for (TLS SNI, HTTP Host, or the resolver's memory of the answer); null when unknown.</param>
internal readonly record struct FlowQuery(
    IPAddress Source,
    string? LanInterface,
    IPAddress Destination,
    int Port,
    RouteProtocol Protocol,
    string? Domain = null);
