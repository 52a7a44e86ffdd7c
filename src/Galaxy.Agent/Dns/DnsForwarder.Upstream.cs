using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Galaxy.Agent.Egress;

namespace Galaxy.Agent.Dns;

/// <summary>The forwarder's exchanges with upstream resolvers.</summary>
internal sealed partial class DnsForwarder
{
    private async ValueTask<byte[]?> ExchangeAsync(
        DnsUpstream upstream, ReadOnlyMemory<byte> query, DnsQuery parsed, DnsTransport transport, CancellationToken cancellationToken)
    {
        // A fresh id per client query (RFC 5452): an off-path guesser must match it and the source port.
        var upstreamQuery = query.ToArray();
        DnsHeader.WriteId(upstreamQuery, (ushort)RandomNumberGenerator.GetInt32(0, 65536));
        byte[]? fallback = null;
        for (var round = 0; round < _options.Rounds; round++)
        {
            foreach (var server in upstream.Servers)
            {
                Interlocked.Increment(ref _upstreamQueries);
                var reply = transport == DnsTransport.Tcp
                    ? await ExchangeTcpAsync(upstream.Dialer, server, upstreamQuery, cancellationToken).ConfigureAwait(false)
                    : await ExchangeUdpAsync(upstream.Dialer, server, upstreamQuery, cancellationToken).ConfigureAwait(false);
                if (reply is not null && transport == DnsTransport.Udp && (reply[2] & (DnsWire.FlagTruncated >> 8)) != 0)
                {
                    Interlocked.Increment(ref _tcpFallbacks);
                    reply = await ExchangeTcpAsync(upstream.Dialer, server, upstreamQuery, cancellationToken).ConfigureAwait(false) ?? reply;
                }

                if (reply is null)
                {
                    Interlocked.Increment(ref _upstreamFailures);
                    continue;
                }

                var code = (DnsResponseCode)(reply[3] & DnsWire.ResponseCodeMask);
                if (code is DnsResponseCode.ServerFailure or DnsResponseCode.Refused or DnsResponseCode.NotImplemented)
                {
                    // This server will not answer; another may. Its reply stands if none does.
                    UpstreamFailed(server, upstream.Dialer, $"answered {code} for {parsed.Name}");
                    Interlocked.Increment(ref _upstreamFailures);
                    fallback = reply;
                    continue;
                }

                return reply;
            }
        }

        return fallback;
    }

    private async ValueTask<byte[]?> ExchangeUdpAsync(IEgressDialer dialer, IPEndPoint server, byte[] query, CancellationToken cancellationToken)
    {
        var dial = dialer.DialUdp(server);
        if (dial.Socket is not { } socket)
        {
            UpstreamFailed(server, dialer, $"udp dial {dial.Outcome}: {dial.Reason}");
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(DnsWire.MaxMessageLength);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.UdpTimeout);
        try
        {
            using (socket)
            {
                await socket.SendAsync(query, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer.AsMemory(0, DnsWire.MaxMessageLength), SocketFlags.None, deadline.Token).ConfigureAwait(false);
                    var reply = buffer.AsSpan(0, received);
                    if (IsReplyTo(query, reply))
                    {
                        return reply.ToArray();
                    }

                    // Not ours (a late reply to an earlier try, a forgery): keep waiting for the real one.
                }
            }
        }
        catch (SocketException e)
        {
            UpstreamFailed(server, dialer, $"udp: {e.SocketErrorCode}");
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            UpstreamFailed(server, dialer, $"no udp reply within {_options.UdpTimeout.TotalSeconds:0.#} s");
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>RFC 1035 §4.2.2 / RFC 7766: over TCP each message is preceded by its length as a big-endian u16.</summary>
    private async ValueTask<byte[]?> ExchangeTcpAsync(IEgressDialer dialer, IPEndPoint server, byte[] query, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.TcpTimeout);
        DialResult dial;
        try
        {
            dial = await dialer.DialTcpAsync(server, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            dial = DialResult.Failure(DialOutcome.TimedOut, "timed out");
        }

        if (dial.Socket is not { } socket)
        {
            UpstreamFailed(server, dialer, $"tcp dial {dial.Outcome}: {dial.Reason}");
            return null;
        }

        try
        {
            using (socket)
            {
                var framed = new byte[query.Length + 2];
                BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
                query.CopyTo(framed, 2);
                await socket.SendAsync(framed, SocketFlags.None, deadline.Token).ConfigureAwait(false);

                var early = dial.EarlyData;
                var prefix = new byte[2];
                if (!await ReadExactlyAsync(socket, early, prefix, deadline.Token).ConfigureAwait(false))
                {
                    UpstreamFailed(server, dialer, "tcp: closed before replying");
                    return null;
                }

                early = early.Length > 2 ? early[2..] : ReadOnlyMemory<byte>.Empty;
                var reply = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                if (!await ReadExactlyAsync(socket, early, reply, deadline.Token).ConfigureAwait(false) || !IsReplyTo(query, reply))
                {
                    UpstreamFailed(server, dialer, "tcp: short or foreign reply");
                    return null;
                }

                return reply;
            }
        }
        catch (SocketException e)
        {
            UpstreamFailed(server, dialer, $"tcp: {e.SocketErrorCode}");
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            UpstreamFailed(server, dialer, $"no tcp reply within {_options.TcpTimeout.TotalSeconds:0.#} s");
            return null;
        }
    }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="early"/> first, then the socket; false at end of stream.</summary>
    private static async ValueTask<bool> ReadExactlyAsync(Socket socket, ReadOnlyMemory<byte> early, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var filled = Math.Min(early.Length, destination.Length);
        early[..filled].CopyTo(destination);
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

    /// <summary>Failure paths only: the reason is built whether or not Debug is on.</summary>
    private void UpstreamFailed(IPEndPoint server, IEgressDialer dialer, string reason) => DnsLog.UpstreamFailed(_logger, server, dialer.Name, reason);

    private static bool IsReplyTo(ReadOnlySpan<byte> query, ReadOnlySpan<byte> reply) =>
        reply.Length >= DnsWire.HeaderLength
        && DnsHeader.ReadId(reply) == DnsHeader.ReadId(query)
        && (reply[2] & (DnsWire.FlagResponse >> 8)) != 0
        && DnsResponse.QuestionMatches(query, reply);
}
