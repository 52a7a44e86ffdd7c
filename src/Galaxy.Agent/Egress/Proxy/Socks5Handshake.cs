using System.Buffers;
using System.Net;
using System.Runtime.InteropServices;
using Galaxy.Agent.Egress.Socks5;
using Galaxy.Agent.Interop;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// The client side of one SOCKS5 handshake on a connected socket: greeting, RFC 1929 username/password when
/// the proxy chooses it, and one request (CONNECT or UDP ASSOCIATE), step by step with the proxy's answers
/// (RFC 1928 has the client wait for each). Non-blocking (MSG_DONTWAIT), so the same machine runs in the
/// splice loop and, with waits between its steps, on the async dial path. A refusal is an outcome with the
/// proxy's reason, never an exception.
/// </summary>
internal sealed class Socks5Handshake : IUpstreamHandshake
{
    private const int Capacity = Socks5Codec.MaxMessageLength;

    private readonly IPEndPoint _proxy;
    private readonly ProxyCredentials? _credentials;
    private readonly byte _command;
    private readonly Socks5Address _target;
    private byte[] _output;
    private byte[] _input;
    private int _outputLength;
    private int _outputSent;
    private int _inputLength;
    private Step _step = Step.MethodSelection;

    public Socks5Handshake(IPEndPoint proxy, ProxyCredentials? credentials, byte command, Socks5Address target)
    {
        _proxy = proxy;
        _credentials = credentials;
        _command = command;
        _target = target;
        _output = ArrayPool<byte>.Shared.Rent(Capacity);
        _input = ArrayPool<byte>.Shared.Rent(Capacity);
        _outputLength = Socks5Codec.WriteGreeting(_output, credentials is not null);
    }

    private enum Step
    {
        MethodSelection,
        Authentication,
        Reply,
        Done,
        Failed,
    }

    /// <summary>After <see cref="HandshakeProgress.Done"/>: the address the proxy bound (a UDP ASSOCIATE's relay).</summary>
    public Socks5Address Bound { get; private set; }

    public DialResult Failure { get; private set; }

    public ReadOnlySpan<byte> Remainder => _step == Step.Done ? _input.AsSpan(0, _inputLength) : [];

    /// <summary>True while a message waits for room in the socket's send buffer (wait for writability, not bytes).</summary>
    public bool WantsToSend => _outputSent < _outputLength;

    public unsafe HandshakeProgress Advance(int fd)
    {
        while (_step is not (Step.Done or Step.Failed))
        {
            if (_outputSent < _outputLength)
            {
                nint sent;
                fixed (byte* output = _output)
                {
                    sent = Libc.Send(fd, output + _outputSent, (nuint)(_outputLength - _outputSent), Libc.MsgDontWait | Libc.MsgNoSignal);
                }

                if (sent >= 0)
                {
                    _outputSent += (int)sent;
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                return errno == Libc.EAGAIN ? HandshakeProgress.Waiting : Fail(SocketFailure(errno));
            }

            var decoded = Decode();
            if (decoded != Socks5Decode.NeedMore)
            {
                continue; // the next message to send, or the end
            }

            if (_inputLength == Capacity)
            {
                return Fail(Garbled());
            }

            nint read;
            fixed (byte* input = _input)
            {
                read = Libc.Recv(fd, input + _inputLength, (nuint)(Capacity - _inputLength), Libc.MsgDontWait);
            }

            if (read > 0)
            {
                _inputLength += (int)read;
                continue;
            }

            if (read == 0)
            {
                return Fail(DialResult.Failure(DialOutcome.Failed, $"SOCKS5 proxy {_proxy} closed the connection during the handshake"));
            }

            var readErrno = Marshal.GetLastPInvokeError();
            if (readErrno == Libc.EINTR)
            {
                continue;
            }

            if (readErrno == Libc.EAGAIN)
            {
                return HandshakeProgress.Waiting;
            }

            return Fail(SocketFailure(readErrno));
        }

        return _step == Step.Done ? HandshakeProgress.Done : HandshakeProgress.Failed;
    }

    public void Dispose()
    {
        foreach (var buffer in (byte[][])[_output, _input])
        {
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        _output = [];
        _input = [];
        _inputLength = 0;
    }

    /// <summary>Decodes the answer the current step waits for; on Done the next message is queued or the handshake ended.</summary>
    private Socks5Decode Decode()
    {
        var received = _input.AsSpan(0, _inputLength);
        switch (_step)
        {
            case Step.MethodSelection:
            {
                var decode = Socks5Codec.ReadMethodSelection(received, out var method);
                if (decode != Socks5Decode.Done)
                {
                    return decode == Socks5Decode.NeedMore ? decode : Invalid();
                }

                Consume(2);
                if (method == Socks5Codec.MethodUsernamePassword && _credentials is not null)
                {
                    Queue(Socks5Codec.WriteUsernamePassword(_output, _credentials.Username, _credentials.Password));
                    _step = Step.Authentication;
                }
                else if (method == Socks5Codec.MethodNoAuthentication)
                {
                    QueueRequest();
                }
                else
                {
                    Fail(DialResult.Failure(DialOutcome.Rejected, method == Socks5Codec.MethodNoneAcceptable
                        ? $"SOCKS5 proxy {_proxy} accepts none of the offered authentication methods"
                        : $"SOCKS5 proxy {_proxy} chose authentication method 0x{method:x2}, which was not offered"));
                }

                return Socks5Decode.Done;
            }

            case Step.Authentication:
            {
                var decode = Socks5Codec.ReadUsernamePasswordReply(received, out var accepted);
                if (decode != Socks5Decode.Done)
                {
                    return decode == Socks5Decode.NeedMore ? decode : Invalid();
                }

                Consume(2);
                if (accepted)
                {
                    QueueRequest();
                }
                else
                {
                    Fail(DialResult.Failure(DialOutcome.Rejected, $"SOCKS5 proxy {_proxy} refused the credentials of user {_credentials!.Username}"));
                }

                return Socks5Decode.Done;
            }

            default:
            {
                var decode = Socks5Codec.ReadReply(received, out var reply, out var bound, out var consumed);
                if (decode != Socks5Decode.Done)
                {
                    return decode == Socks5Decode.NeedMore ? decode : Invalid();
                }

                Consume(consumed);
                if (reply == Socks5ReplyCode.Succeeded)
                {
                    Bound = bound;
                    _step = Step.Done;
                }
                else
                {
                    Fail(DialResult.Failure(Map(reply), $"SOCKS5 proxy {_proxy}: {_target}: {Socks5Codec.Describe(reply)}"));
                }

                return Socks5Decode.Done;
            }
        }
    }

    private void QueueRequest()
    {
        Queue(Socks5Codec.WriteRequest(_output, _command, _target));
        _step = Step.Reply;
    }

    private void Queue(int length)
    {
        _outputLength = length;
        _outputSent = 0;
    }

    private void Consume(int count)
    {
        _input.AsSpan(count, _inputLength - count).CopyTo(_input);
        _inputLength -= count;
    }

    private Socks5Decode Invalid()
    {
        Fail(Garbled());
        return Socks5Decode.Invalid;
    }

    private HandshakeProgress Fail(DialResult failure)
    {
        Failure = failure;
        _step = Step.Failed;
        return HandshakeProgress.Failed;
    }

    private DialResult Garbled() => DialResult.Failure(DialOutcome.Failed, $"SOCKS5 proxy {_proxy} answered something that is not SOCKS5");

    private DialResult SocketFailure(int errno)
    {
        var error = Relay.NonBlockingConnect.FromErrno(errno);
        return DialResult.FromSocketError(error) with { Reason = $"SOCKS5 proxy {_proxy}: handshake failed: {error}" };
    }

    private static DialOutcome Map(Socks5ReplyCode reply) => reply switch
    {
        Socks5ReplyCode.ConnectionRefused => DialOutcome.Refused,
        Socks5ReplyCode.NetworkUnreachable or Socks5ReplyCode.HostUnreachable => DialOutcome.Unreachable,
        Socks5ReplyCode.TtlExpired => DialOutcome.TimedOut,
        Socks5ReplyCode.NotAllowedByRuleset => DialOutcome.Rejected,
        _ => DialOutcome.Failed,
    };
}
