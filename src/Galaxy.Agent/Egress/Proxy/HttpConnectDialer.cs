using System.Net;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// Dials through an HTTP proxy with CONNECT (basic auth when configured), reaching the proxy through
/// <paramref name="transport"/>. A non-2xx answer is an outcome naming the status, never an exception. The
/// exchange itself is <see cref="HttpConnectHandshake"/>, run by the splice loop when the proxy is a plain
/// connect away.
/// </summary>
internal sealed class HttpConnectDialer(string name, IPEndPoint proxy, ProxyCredentials? credentials, IEgressDialer transport, TimeSpan handshakeTimeout)
    : IInLoopConnectDialer
{
    private readonly string _label = $"HTTP proxy {proxy}";

    public string Name { get; } = name;

    public bool CanStartInLoop => ProxyDial.InLoop(transport);

    public TimeSpan ConnectTimeout => ProxyDial.Timeout(transport, handshakeTimeout);

    public DialResult StartConnect(IPEndPoint destination, out IUpstreamHandshake? handshake)
    {
        handshake = new HttpConnectHandshake(proxy, destination, credentials);
        return ProxyDial.Start(transport, proxy, _label, ref handshake);
    }

    public async ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken)
    {
        using var handshake = new HttpConnectHandshake(proxy, destination, credentials);
        return await ProxyDial.DialAsync(transport, proxy, _label, handshake, handshakeTimeout, cancellationToken).ConfigureAwait(false);
    }

    public DialResult DialUdp(IPEndPoint destination) =>
        DialResult.Failure(DialOutcome.Rejected, $"{Name} cannot carry UDP (CONNECT carries TCP only)");

    public override string ToString() => $"{Name} (http-connect {proxy} via {transport.Name})";
}
