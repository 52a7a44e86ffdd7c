using System.Buffers;
using System.Net.Sockets;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// The managed side of a proxy handshake on a freshly connected socket: small writes, and reads that
/// accumulate until a decoder says a message is complete. Bounded in size and (through the caller's
/// token) in time. It never owns the socket.
/// </summary>
internal sealed class HandshakeChannel : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer;
    private int _length;

    public HandshakeChannel(Socket socket, int capacity)
    {
        _socket = socket;
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
    }

    /// <summary>Bytes received and not yet consumed.</summary>
    public ReadOnlySpan<byte> Received => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> ReceivedMemory => _buffer.AsMemory(0, _length);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Reads more bytes; false when the peer closed or the buffer is full.</summary>
    public async ValueTask<bool> ReceiveMoreAsync(CancellationToken cancellationToken)
    {
        if (_length == _buffer.Length)
        {
            return false;
        }

        var read = await _socket.ReceiveAsync(_buffer.AsMemory(_length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        _length += read;
        return read > 0;
    }

    /// <summary>Drops the first <paramref name="count"/> bytes (a decoded message).</summary>
    public void Consume(int count)
    {
        _buffer.AsSpan(count, _length - count).CopyTo(_buffer);
        _length -= count;
    }

    /// <summary>What is left after the handshake: early data for the client.</summary>
    public ReadOnlyMemory<byte> TakeRemainder() => _length == 0 ? ReadOnlyMemory<byte>.Empty : _buffer.AsSpan(0, _length).ToArray();

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
