using System.Buffers.Binary;
using System.Net.Sockets;

namespace Galaxy.Agent.Dns;

/// <summary>The TCP side (RFC 7766): accepted connections, each a sequence of length-prefixed queries answered in order.</summary>
internal sealed partial class DnsServer
{
    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _tcp!.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // EMFILE and friends: back off instead of spinning; the backlog holds the client meanwhile.
                DnsLog.ServerError(_logger, "accepting a TCP client", e);
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (Interlocked.Increment(ref _tcpConnections) > _options.MaxTcpConnections)
            {
                Interlocked.Decrement(ref _tcpConnections);
                Interlocked.Increment(ref _dropped);
                connection.Dispose();
                continue;
            }

            _ = ServeTcpAsync(connection, cancellationToken);
        }
    }

    private async Task ServeTcpAsync(Socket connection, CancellationToken cancellationToken)
    {
        var prefix = new byte[2];
        try
        {
            using (connection)
            {
                connection.NoDelay = true;
                while (true)
                {
                    using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    idle.CancelAfter(_options.TcpIdleTimeout);
                    if (!await ReadExactlyAsync(connection, prefix, idle.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                    if (!await ReadExactlyAsync(connection, query, idle.Token).ConfigureAwait(false))
                    {
                        return;
                    }

                    var reply = await _forwarder.ResolveAsync(query, DnsTransport.Tcp, cancellationToken).ConfigureAwait(false);
                    if (reply is null)
                    {
                        return;
                    }

                    var framed = new byte[reply.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)reply.Length);
                    reply.CopyTo(framed, 2);
                    await connection.SendAsync(framed, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Idle, reset by the client, or the server stopping: the connection simply ends.
        }
        catch (Exception e)
        {
            DnsLog.ServerError(_logger, "answering a TCP client", e);
        }
        finally
        {
            Interlocked.Decrement(ref _tcpConnections);
        }
    }

    private static async ValueTask<bool> ReadExactlyAsync(Socket socket, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < destination.Length)
        {
            var read = await socket.ReceiveAsync(destination[filled..], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
