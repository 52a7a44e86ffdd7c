using System.Net.Sockets;

namespace Galaxy.Agent.Relay.Udp;

/// <summary>
/// One UDP flow: the client-side socket (transparent, bound to the original destination and connected to
/// the client, so replies leave from the address the client sent to) and the upstream socket (connected
/// through the egress). Through a SOCKS5 association the upstream socket talks to the proxy's relay, every
/// datagram carries <see cref="SocksHeader"/>, and the association's control connection is held too. It owns
/// its sockets.
/// </summary>
internal sealed class UdpSession(UdpFlowKey key, Socket clientSide, Socket upstream, string egress, Action<UdpSession>? requestClose = null,
    Socket? control = null, byte[]? socksHeader = null)
    : IRelayedFlow, IDisposable
{
    public UdpFlowKey Key { get; } = key;

    public string Egress { get; } = egress;

    public int ClientSideFd { get; } = (int)clientSide.SafeHandle.DangerousGetHandle();

    public int UpstreamFd { get; } = (int)upstream.SafeHandle.DangerousGetHandle();

    /// <summary>The SOCKS5 association's control connection, or -1.</summary>
    public int ControlFd { get; } = control is null ? -1 : (int)control.SafeHandle.DangerousGetHandle();

    /// <summary>The SOCKS5 UDP header (RFC 1928 §7) naming the destination, put before each datagram up; null when direct.</summary>
    public byte[]? SocksHeader { get; } = socksHeader;

    public long Id { get; set; }

    /// <summary>Bytes forwarded up; written by the relay's thread only, read from any.</summary>
    public long BytesUp { get; set; }

    public long BytesDown { get; set; }

    /// <summary>Its entry in the flow registry, if the relay has one.</summary>
    public FlowRegistration? Registration { get; set; }

    private volatile bool _closeRequested;

    /// <summary>
    /// True from the moment its close is asked for (the kill switch, the egress going down), before the relay's
    /// thread gets to close it: from then on it forwards nothing.
    /// </summary>
    public bool CloseRequested => _closeRequested;

    /// <summary>Asks the relay's thread to close this session; from any thread. It forwards nothing more from now on.</summary>
    public void RequestClose()
    {
        _closeRequested = true;
        requestClose?.Invoke(this);
    }

    public void Dispose()
    {
        clientSide.Dispose();
        upstream.Dispose();
        control?.Dispose();
    }
}
