using System.Net;
using Galaxy.Agent.Egress.Socks5;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// The client side of one SOCKS5 handshake: greeting, RFC 1929 username/password when the proxy chooses it,
/// and one request (CONNECT or UDP ASSOCIATE), step by step with the proxy's answers (RFC 1928 has the client
/// wait for each). A refusal is an outcome with the proxy's reason, never an exception.
/// </summary>
internal sealed class Socks5Handshake : ProxyHandshake
{
    private readonly IPEndPoint _proxy;
    private readonly ProxyCredentials? _credentials;
    private readonly byte _command;
    private readonly Socks5Address _target;
    private Step _step = Step.MethodSelection;

    public Socks5Handshake(IPEndPoint proxy, ProxyCredentials? credentials, byte command, Socks5Address target)
        : base(Socks5Codec.MaxMessageLength, Socks5Codec.MaxMessageLength)
    {
        _proxy = proxy;
        _credentials = credentials;
        _command = command;
        _target = target;
        Queue(Socks5Codec.WriteGreeting(Output, credentials is not null));
    }

    private enum Step
    {
        MethodSelection,
        Authentication,
        Reply,
    }

    /// <summary>After <see cref="HandshakeProgress.Done"/>: the address the proxy bound (a UDP ASSOCIATE's relay).</summary>
    public Socks5Address Bound { get; private set; }

    protected override string Label => $"SOCKS5 proxy {_proxy}";

    protected override Decoded Decode()
    {
        switch (_step)
        {
            case Step.MethodSelection:
            {
                var decode = Socks5Codec.ReadMethodSelection(Received, out var method);
                if (decode != Socks5Decode.Done)
                {
                    return decode == Socks5Decode.NeedMore ? Decoded.NeedMore : Garbled();
                }

                Consume(2);
                if (method == Socks5Codec.MethodUsernamePassword && _credentials is not null)
                {
                    _step = Step.Authentication;
                    return Queue(Socks5Codec.WriteUsernamePassword(Output, _credentials.Username, _credentials.Password));
                }

                if (method == Socks5Codec.MethodNoAuthentication)
                {
                    return QueueRequest();
                }

                return Fail(DialResult.Failure(DialOutcome.Rejected, method == Socks5Codec.MethodNoneAcceptable
                    ? $"{Label} accepts none of the offered authentication methods"
                    : $"{Label} chose authentication method 0x{method:x2}, which was not offered"));
            }

            case Step.Authentication:
            {
                var decode = Socks5Codec.ReadUsernamePasswordReply(Received, out var accepted);
                if (decode != Socks5Decode.Done)
                {
                    return decode == Socks5Decode.NeedMore ? Decoded.NeedMore : Garbled();
                }

                Consume(2);
                return accepted
                    ? QueueRequest()
                    : Fail(DialResult.Failure(DialOutcome.Rejected, $"{Label} refused the credentials of user {_credentials!.Username}"));
            }

            default:
            {
                var decode = Socks5Codec.ReadReply(Received, out var reply, out var bound, out var consumed);
                if (decode != Socks5Decode.Done)
                {
                    return decode == Socks5Decode.NeedMore ? Decoded.NeedMore : Garbled();
                }

                Consume(consumed);
                if (reply != Socks5ReplyCode.Succeeded)
                {
                    return Fail(DialResult.Failure(Map(reply), $"{Label}: {_target}: {Socks5Codec.Describe(reply)}"));
                }

                Bound = bound;
                return Grant();
            }
        }
    }

    private Decoded QueueRequest()
    {
        _step = Step.Reply;
        return Queue(Socks5Codec.WriteRequest(Output, _command, _target));
    }

    private Decoded Garbled() => Fail(DialResult.Failure(DialOutcome.Failed, $"{Label} answered something that is not SOCKS5"));

    private static DialOutcome Map(Socks5ReplyCode reply) => reply switch
    {
        Socks5ReplyCode.ConnectionRefused => DialOutcome.Refused,
        Socks5ReplyCode.NetworkUnreachable or Socks5ReplyCode.HostUnreachable => DialOutcome.Unreachable,
        Socks5ReplyCode.TtlExpired => DialOutcome.TimedOut,
        Socks5ReplyCode.NotAllowedByRuleset => DialOutcome.Rejected,
        _ => DialOutcome.Failed,
    };
}
