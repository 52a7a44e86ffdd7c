namespace Galaxy.Agent.Dns;

/// <summary>How a client's query arrived, which is how its reply leaves (UDP replies must fit the client's payload size).</summary>
internal enum DnsTransport
{
    Udp,
    Tcp,
}
