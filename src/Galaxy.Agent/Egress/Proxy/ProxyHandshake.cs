using System.Buffers;
using System.Runtime.InteropServices;
using Galaxy.Agent.Interop;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// The I/O half of a proxy handshake on a connected socket, shared by SOCKS5 and HTTP CONNECT: it sends the
/// queued message, reads the proxy's answer into a bounded buffer and asks the protocol (<see cref="Decode"/>)
/// what it means, until the socket would block or the handshake ends. Non-blocking (MSG_DONTWAIT), so the
/// same machine runs in the splice loop and, with waits between its steps, on the async dial path. Owns
/// its two rented buffers only.
/// </summary>
internal abstract class ProxyHandshake : IUpstreamHandshake
{
    private readonly int _inputCapacity;
    private byte[] _output;
    private byte[] _input;
    private int _outputLength;
    private int _outputSent;
    private int _inputLength;
    private HandshakeProgress? _ended;

    protected ProxyHandshake(int outputCapacity, int inputCapacity)
    {
        _inputCapacity = inputCapacity;
        _output = ArrayPool<byte>.Shared.Rent(outputCapacity);
        _input = ArrayPool<byte>.Shared.Rent(inputCapacity);
    }

    /// <summary>What <see cref="Decode"/> made of the bytes received so far.</summary>
    protected enum Decoded
    {
        /// <summary>The answer is not complete: read more.</summary>
        NeedMore,

        /// <summary>The answer was consumed and the next message queued: send it.</summary>
        Next,

        /// <summary>The proxy granted the connection (<see cref="Grant"/>), or refused it (<see cref="Fail"/>).</summary>
        Ended,
    }

    public DialResult Failure { get; private set; }

    public ReadOnlySpan<byte> Remainder => _ended == HandshakeProgress.Done ? _input.AsSpan(0, _inputLength) : [];

    public bool WantsToSend => _outputSent < _outputLength;

    /// <summary>"SOCKS5 proxy 192.0.2.1:1080", for the failure reasons.</summary>
    protected abstract string Label { get; }

    /// <summary>Room for the next message; <see cref="Queue"/> sends it.</summary>
    protected Span<byte> Output => _output;

    /// <summary>Bytes received and not consumed yet.</summary>
    protected ReadOnlySpan<byte> Received => _input.AsSpan(0, _inputLength);

    protected ReadOnlyMemory<byte> ReceivedMemory => _input.AsMemory(0, _inputLength);

    public unsafe HandshakeProgress Advance(int fd)
    {
        while (_ended is null)
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

                if (errno == Libc.EAGAIN)
                {
                    return HandshakeProgress.Waiting;
                }

                Fail(SocketFailure(errno));
                break;
            }

            if (Decode() != Decoded.NeedMore)
            {
                continue; // the next message to send, or the end
            }

            if (_inputLength == _inputCapacity)
            {
                Fail(DialResult.Failure(DialOutcome.Failed, $"{Label} answered more than a handshake holds"));
                break;
            }

            nint read;
            fixed (byte* input = _input)
            {
                read = Libc.Recv(fd, input + _inputLength, (nuint)(_inputCapacity - _inputLength), Libc.MsgDontWait);
            }

            if (read > 0)
            {
                _inputLength += (int)read;
                continue;
            }

            if (read == 0)
            {
                Fail(DialResult.Failure(DialOutcome.Failed, $"{Label} closed the connection during the handshake"));
                break;
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

            Fail(SocketFailure(readErrno));
        }

        return _ended!.Value;
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

    /// <summary>Reads the proxy's answer to the current step from <see cref="Received"/>.</summary>
    protected abstract Decoded Decode();

    protected Decoded Queue(int length)
    {
        _outputLength = length;
        _outputSent = 0;
        return Decoded.Next;
    }

    protected void Consume(int count)
    {
        _input.AsSpan(count, _inputLength - count).CopyTo(_input);
        _inputLength -= count;
    }

    protected Decoded Grant()
    {
        _ended = HandshakeProgress.Done;
        return Decoded.Ended;
    }

    protected Decoded Fail(DialResult failure)
    {
        Failure = failure;
        _ended = HandshakeProgress.Failed;
        return Decoded.Ended;
    }

    private DialResult SocketFailure(int errno)
    {
        var failure = DialResult.FromSocketError(Relay.NonBlockingConnect.FromErrno(errno));
        return failure with { Reason = $"{Label}: handshake failed: {failure.Reason}" };
    }
}
