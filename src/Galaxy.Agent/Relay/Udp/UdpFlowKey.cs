using System.Net;

namespace Galaxy.Agent.Relay.Udp;

/// <summary>A UDP flow: a LAN client's endpoint and where its datagrams were going.</summary>
internal readonly record struct UdpFlowKey(IPEndPoint Client, IPEndPoint Destination);
