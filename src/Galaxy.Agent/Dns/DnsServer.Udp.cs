using System.Net;
using System.Runtime.InteropServices;
using Galaxy.Agent.Interop;
using Galaxy.Agent.Relay.Udp;

namespace Galaxy.Agent.Dns;

/// <summary>The UDP side: one thread reads datagrams with their original destination; each query is resolved on the thread pool.</summary>
internal sealed partial class DnsServer
{
    private const int SoReceiveTimeout = 20;

    private unsafe void ReceiveLoop()
    {
        var fd = (int)_udp!.SafeHandle.DangerousGetHandle();

        // A blocking recvmsg that gives up every 200 ms (SO_RCVTIMEO, struct timeval { long sec; long usec; }),
        // so the loop sees a stop request without an extra descriptor to wake it.
        var flags = Libc.Fcntl(fd, Libc.FGetFl, 0);
        if (flags >= 0 && (flags & Libc.ONonBlock) != 0)
        {
            Libc.Fcntl(fd, Libc.FSetFl, flags & ~Libc.ONonBlock);
        }

        Span<byte> timeout = stackalloc byte[16];
        timeout.Clear();
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(timeout[8..], 200_000);
        _udp.SetRawSocketOption(Libc.SolSocket, SoReceiveTimeout, timeout);
        var buffer = GC.AllocateUninitializedArray<byte>(DnsWire.MaxMessageLength, pinned: true);
        var name = GC.AllocateArray<byte>(128, pinned: true);
        var control = GC.AllocateArray<byte>(256, pinned: true);
        fixed (byte* bufferPointer = buffer, namePointer = name, controlPointer = control)
        {
            while (!_stop.IsCancellationRequested)
            {
                var vector = new IoVector { Base = bufferPointer, Length = (nuint)buffer.Length };
                var message = new MessageHeader
                {
                    Name = namePointer, NameLength = (uint)name.Length, Vectors = &vector, VectorCount = 1,
                    Control = controlPointer, ControlLength = (nuint)control.Length,
                };
                var received = Libc.RecvMsg(fd, &message, 0);
                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is not (Libc.EINTR or Libc.EAGAIN))
                    {
                        // ECONNREFUSED and the like belong to no one datagram; do not spin on a broken socket.
                        Thread.Sleep(10);
                    }

                    continue;
                }

                var client = SocketAddressCodec.ReadSocketAddress(name.AsSpan(0, (int)message.NameLength));
                var origin = SocketAddressCodec.ReadOriginalDestination(control.AsSpan(0, (int)message.ControlLength)) ?? _udpLocal;
                if (client is null || origin is null || (message.Flags & Libc.MsgTrunc) != 0)
                {
                    continue;
                }

                if (Interlocked.Increment(ref _udpInFlight) > _options.MaxUdpInFlight)
                {
                    Interlocked.Decrement(ref _udpInFlight);
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                _ = AnswerUdpAsync(buffer.AsSpan(0, (int)received).ToArray(), client, origin);
            }
        }
    }

    private async Task AnswerUdpAsync(byte[] query, IPEndPoint client, IPEndPoint origin)
    {
        try
        {
            var reply = await _forwarder.ResolveAsync(query, DnsTransport.Udp, _stop.Token).ConfigureAwait(false);
            if (reply is null)
            {
                DnsLog.Dropped(_logger, client, "not a DNS query");
                return;
            }

            if (IsListenerItself(origin))
            {
                _udp!.SendTo(reply, client);
            }
            else
            {
                _replies.TrySend(origin, client, reply);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            DnsLog.Dropped(_logger, client, e.Message);
        }
        catch (Exception e)
        {
            // A bug, not a condition of the network: say so, and keep serving the other clients.
            DnsLog.ServerError(_logger, "answering a UDP query", e);
        }
        finally
        {
            Interlocked.Decrement(ref _udpInFlight);
        }
    }

    /// <summary>Addressed to the listener itself (not TPROXYed): the listener answers, from the address it was asked on.</summary>
    private bool IsListenerItself(IPEndPoint origin) =>
        origin.Port == _udpLocal!.Port
        && (origin.Address.Equals(_udpLocal.Address) || _udpLocal.Address.Equals(IPAddress.Any) || _udpLocal.Address.Equals(IPAddress.IPv6Any));
}
