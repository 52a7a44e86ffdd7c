using System.Net.Sockets;

namespace Galaxy.Agent.Relay.Udp;

/// <summary>
/// One UDP flow: the client-side socket (transparent, bound to the original destination and connected to
/// the client, so replies leave from the address the client sent to) and the upstream socket (connected
/// through the egress). It owns both.
/// </summary>
internal sealed class UdpSession(UdpFlowKey key, Socket clientSide, Socket upstream, string egress, Action<UdpSession>? requestClose = null)
    : IRelayedFlow, IDisposable
{
    public UdpFlowKey Key { get; } = key;

    public string Egress { get; } = egress;

    public int ClientSideFd { get; } = (int)clientSide.SafeHandle.DangerousGetHandle();

    public int UpstreamFd { get; } = (int)upstream.SafeHandle.DangerousGetHandle();

    public long Id { get; set; }

    /// <summary>Bytes forwarded up; written by the relay's thread only, read from any.</summary>
    public long BytesUp { get; set; }

    public long BytesDown { get; set; }

    /// <summary>Its entry in the flow registry, if the relay has one.</summary>
    public FlowRegistration? Registration { get; set; }

    /// <summary>Asks the relay's thread to close this session; from any thread.</summary>
    public void RequestClose() => requestClose?.Invoke(this);

    public void Dispose()
    {
        clientSide.Dispose();
        upstream.Dispose();
    }
}
