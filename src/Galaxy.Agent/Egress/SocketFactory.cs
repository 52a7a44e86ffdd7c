using System.Net.Sockets;

namespace Galaxy.Agent.Egress;

/// <summary>
/// Makes the sockets of the data plane. The default creates them in the process's own network namespace;
/// tests hand in one that creates them inside a lab namespace.
/// </summary>
internal delegate Socket SocketFactory(AddressFamily family, SocketType type, ProtocolType protocol);

internal static class SocketFactories
{
    public static readonly SocketFactory Default = (family, type, protocol) => new Socket(family, type, protocol);
}
