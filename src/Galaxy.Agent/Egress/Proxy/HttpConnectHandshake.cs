using System.Buffers;
using System.Net;
using Galaxy.Agent.Egress.HttpConnect;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// One HTTP CONNECT (basic auth when configured): the request, then the proxy's response header. A 2xx opens
/// the tunnel (bytes after the header are the server's); any other status is an outcome naming it.
/// </summary>
internal sealed class HttpConnectHandshake : ProxyHandshake
{
    private readonly IPEndPoint _proxy;
    private readonly IPEndPoint _destination;
    private readonly ProxyCredentials? _credentials;

    public HttpConnectHandshake(IPEndPoint proxy, IPEndPoint destination, ProxyCredentials? credentials)
        : this(proxy, destination, credentials,
            HttpConnectCodec.BuildRequest(destination.Address.ToString(), (ushort)destination.Port, credentials?.Username, credentials?.Password))
    {
    }

    private HttpConnectHandshake(IPEndPoint proxy, IPEndPoint destination, ProxyCredentials? credentials, byte[] request)
        : base(request.Length, HttpConnectCodec.MaxResponseHeaderLength + 1)
    {
        _proxy = proxy;
        _destination = destination;
        _credentials = credentials;
        request.CopyTo(Output);
        Queue(request.Length);
    }

    protected override string Label => $"HTTP proxy {_proxy}";

    protected override Decoded Decode()
    {
        switch (HttpConnectCodec.ReadResponse(new ReadOnlySequence<byte>(ReceivedMemory), out var status, out var headerLength))
        {
            case HttpConnectDecode.Established:
                Consume(headerLength);
                return Grant();
            case HttpConnectDecode.Refused:
                return Fail(DialResult.Failure(Map(status), status is 401 or 407
                    ? $"{Label}: CONNECT {_destination}: status {status}: {(_credentials is null ? "the proxy wants credentials and none are configured" : $"the proxy refused the credentials of user {_credentials.Username}")}"
                    : $"{Label}: CONNECT {_destination}: status {status}"));
            case HttpConnectDecode.Invalid:
                return Fail(DialResult.Failure(DialOutcome.Failed, $"{Label} answered something that is not an HTTP/1.x response"));
            default:
                return Decoded.NeedMore;
        }
    }

    private static DialOutcome Map(int status) => status switch
    {
        // 401: what some proxies (tinyproxy's BasicAuth) answer a CONNECT with bad credentials instead of 407.
        401 or 403 or 407 => DialOutcome.Rejected,
        502 => DialOutcome.Refused,
        503 => DialOutcome.Unreachable,
        504 => DialOutcome.TimedOut,
        _ => DialOutcome.Failed,
    };
}
