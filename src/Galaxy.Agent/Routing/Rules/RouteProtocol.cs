namespace Galaxy.Agent.Routing.Rules;

/// <summary>The transport of a flow; a rule names one, or none to match both.</summary>
internal enum RouteProtocol
{
    Tcp = 1,
    Udp = 2,
}
