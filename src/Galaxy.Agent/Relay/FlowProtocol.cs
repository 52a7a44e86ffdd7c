namespace Galaxy.Agent.Relay;

/// <summary>The transport of a relayed flow.</summary>
internal enum FlowProtocol
{
    Tcp,
    Udp,
}
