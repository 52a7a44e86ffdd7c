using System.Runtime.InteropServices;
using Galaxy.Netlink.Core.Interop;

namespace Galaxy.Netlink.Core;

/// <summary>Receives each data message of a reply (not ACKs or errors).</summary>
internal delegate void MessageHandler(NetlinkMessage message);

/// <summary>Turns one dump message into a value; false to skip the message.</summary>
internal delegate bool MessageParser<T>(NetlinkMessage message, out T value);

/// <summary>
/// One netlink socket: it owns the descriptor, the sequence numbers and the receive buffer, and does the
/// I/O (send, receive, ACK matching, dumps), nothing else. Extended ACKs and capped ACKs are on, so
/// errors carry the kernel's reason and ACKs stay small. Not thread-safe: one owner at a time.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    public const int ReceiveBufferLength = 64 * 1024;
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly NetlinkSafeHandle _handle;
    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(ReceiveBufferLength, pinned: true);
    private uint _sequence;

    private NetlinkSocket(NetlinkSafeHandle handle, int protocol, uint portId)
    {
        _handle = handle;
        Protocol = protocol;
        PortId = portId;
        // Like iproute2: start from the clock, so replies to an earlier process's socket never match.
        _sequence = (uint)Environment.TickCount64;
    }

    /// <summary><see cref="NetlinkProtocol.Route"/> or <see cref="NetlinkProtocol.Netfilter"/>.</summary>
    public int Protocol { get; }

    /// <summary>The port id the kernel assigned at bind.</summary>
    public uint PortId { get; }

    internal NetlinkSafeHandle Handle => _handle;

    /// <summary>
    /// Opens and binds a socket in the calling thread's network namespace. <paramref name="groups"/> is the
    /// legacy multicast bitmask; <paramref name="receiveBufferBytes"/> sizes the kernel queue
    /// (forced past rmem_max where the process may).
    /// </summary>
    public static NetlinkSocket Open(int protocol, uint groups = 0, int receiveBufferBytes = 1 << 20, int sendBufferBytes = 0)
    {
        var fd = Libc.Socket(NetlinkProtocol.AddressFamily, NetlinkProtocol.SocketTypeRaw | NetlinkProtocol.SocketCloseOnExec, protocol);
        if (fd < 0)
        {
            throw new NetlinkException($"opening netlink socket (protocol {protocol})", Marshal.GetLastPInvokeError());
        }

        var handle = new NetlinkSafeHandle(fd);
        try
        {
            SetOption(handle, NetlinkProtocol.SolNetlink, NetlinkProtocol.ExtAck, 1, "enabling extended ACKs");
            SetOption(handle, NetlinkProtocol.SolNetlink, NetlinkProtocol.CapAck, 1, "enabling capped ACKs");
            SetBuffer(handle, NetlinkProtocol.SoReceiveBufferForce, NetlinkProtocol.SoReceiveBuffer, receiveBufferBytes, "receive");
            if (sendBufferBytes > 0)
            {
                SetBuffer(handle, NetlinkProtocol.SoSendBufferForce, NetlinkProtocol.SoSendBuffer, sendBufferBytes, "send");
            }

            var address = new SockAddrNetlink { Family = NetlinkProtocol.AddressFamily, Groups = groups };
            if (Libc.Bind(handle, address, Marshal.SizeOf<SockAddrNetlink>()) != 0)
            {
                throw new NetlinkException("binding netlink socket", Marshal.GetLastPInvokeError());
            }

            var length = Marshal.SizeOf<SockAddrNetlink>();
            if (Libc.GetSockName(handle, out var bound, ref length) != 0)
            {
                throw new NetlinkException("reading netlink port id", Marshal.GetLastPInvokeError());
            }

            return new NetlinkSocket(handle, protocol, bound.PortId);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public uint NextSequence() => ++_sequence;

    /// <summary>Joins a multicast group by number (the only way to join rule groups).</summary>
    public void JoinGroup(int group) =>
        SetOption(_handle, NetlinkProtocol.SolNetlink, NetlinkProtocol.AddMembership, group, $"joining netlink group {group}");

    /// <summary>Asks the kernel to check dump requests strictly (and filter them by the header's fields).</summary>
    public void EnableStrictChecking() =>
        SetOption(_handle, NetlinkProtocol.SolNetlink, NetlinkProtocol.GetStrictCheck, 1, "enabling strict dump checking");

    /// <summary>Sends one datagram (a message or a whole batch) to the kernel.</summary>
    public unsafe void Send(ReadOnlySpan<byte> datagram, string operation)
    {
        fixed (byte* pointer = datagram)
        {
            while (true)
            {
                var sent = Libc.Send(_handle, pointer, (nuint)datagram.Length, 0);
                if (sent >= 0)
                {
                    if (sent != datagram.Length)
                    {
                        throw new NetlinkException($"{operation}: sent {sent} of {datagram.Length} bytes");
                    }

                    return;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR)
                {
                    throw new NetlinkException(operation, errno);
                }
            }
        }
    }

    /// <summary>
    /// Receives one datagram into the socket's buffer. With a zero timeout it does not wait; otherwise it
    /// waits up to <paramref name="timeout"/> (infinite when negative).
    /// </summary>
    public unsafe ReceiveOutcome Receive(TimeSpan timeout, out ReadOnlySpan<byte> datagram, string operation)
    {
        datagram = default;
        if (timeout != TimeSpan.Zero && !WaitReadable(timeout, operation))
        {
            return ReceiveOutcome.Empty;
        }

        fixed (byte* pointer = _receiveBuffer)
        {
            while (true)
            {
                var received = Libc.Recv(_handle, pointer, (nuint)_receiveBuffer.Length, NetlinkProtocol.MsgDontWait | NetlinkProtocol.MsgTrunc);
                if (received >= 0)
                {
                    if (received > _receiveBuffer.Length)
                    {
                        return ReceiveOutcome.Truncated;
                    }

                    datagram = _receiveBuffer.AsSpan(0, (int)received);
                    return ReceiveOutcome.Data;
                }

                var errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case Errno.EINTR:
                        continue;
                    case Errno.EAGAIN:
                        return ReceiveOutcome.Empty;
                    case Errno.ENOBUFS:
                        return ReceiveOutcome.Overrun;
                    default:
                        throw new NetlinkException(operation, errno);
                }
            }
        }
    }

    /// <summary>
    /// Sends a request — one message, or a batch whose messages carry sequences
    /// <paramref name="firstSequence"/>..<paramref name="lastSequence"/> with NLM_F_ACK on the last — and
    /// collects the kernel's answers until the last message's ACK or error has arrived (or, after an
    /// error, until nothing more is queued: an aborted batch may not answer its last message). Data
    /// replies go to <paramref name="onMessage"/>. Returns the error of the lowest failing sequence, or
    /// null when every message succeeded.
    /// </summary>
    public NetlinkError? Transact(ReadOnlySpan<byte> request, uint firstSequence, uint lastSequence, string operation,
        MessageHandler? onMessage = null, TimeSpan? timeout = null)
    {
        Send(request, operation);
        NetlinkError? firstError = null;
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var lastAnswered = false;
        while (!lastAnswered)
        {
            // nfnetlink and rtnetlink answer synchronously inside send(), so replies are usually queued already.
            var outcome = Receive(TimeSpan.Zero, out var datagram, operation);
            if (outcome == ReceiveOutcome.Empty)
            {
                if (firstError is not null)
                {
                    break;
                }

                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    throw new NetlinkException(operation, Errno.ETIMEDOUT, "no answer from the kernel");
                }

                WaitReadable(remaining, operation);
                continue;
            }

            if (outcome == ReceiveOutcome.Overrun)
            {
                throw new NetlinkException(operation, Errno.ENOBUFS, "replies overflowed the receive buffer; the outcome is unknown");
            }

            if (outcome == ReceiveOutcome.Truncated)
            {
                throw new NetlinkException(operation, Errno.EMSGSIZE, "a reply was larger than the receive buffer");
            }

            foreach (var message in new NetlinkMessageEnumerator(datagram))
            {
                if (message.PortId != 0 && message.PortId != PortId)
                {
                    continue;
                }

                if (NetlinkError.TryParse(message, out var error))
                {
                    if (error.RequestSequence < firstSequence || error.RequestSequence > lastSequence)
                    {
                        continue; // a late answer to an earlier request
                    }

                    if (!error.IsAck && (firstError is null || error.RequestSequence < firstError.Value.RequestSequence))
                    {
                        firstError = error;
                    }

                    lastAnswered |= error.RequestSequence == lastSequence;
                }
                else if (message.Sequence >= firstSequence && message.Sequence <= lastSequence &&
                         message.Type is not (NetlinkProtocol.Done or NetlinkProtocol.Noop or NetlinkProtocol.Overrun))
                {
                    onMessage?.Invoke(message);
                }
            }
        }

        return firstError;
    }

    /// <summary>
    /// Sends the request <paramref name="writeRequest"/> encodes (with NLM_F_DUMP) and parses every reply
    /// until NLMSG_DONE. An interrupted dump (NLM_F_DUMP_INTR: the table changed meanwhile) is redone.
    /// </summary>
    public List<T> Dump<T>(NetlinkWriter writer, Action<NetlinkWriter, uint> writeRequest, MessageParser<T> parse, string operation)
    {
        const int attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            var sequence = NextSequence();
            writer.Reset();
            writeRequest(writer, sequence);
            Send(writer.Written, operation);

            var results = new List<T>();
            var interrupted = false;
            var done = false;
            while (!done)
            {
                var outcome = Receive(DefaultTimeout, out var datagram, operation);
                switch (outcome)
                {
                    case ReceiveOutcome.Empty:
                        throw new NetlinkException(operation, Errno.ETIMEDOUT, "the dump did not finish");
                    case ReceiveOutcome.Overrun:
                        throw new NetlinkException(operation, Errno.ENOBUFS, "the dump overflowed the receive buffer");
                    case ReceiveOutcome.Truncated:
                        throw new NetlinkException(operation, Errno.EMSGSIZE, "a dump datagram was larger than the receive buffer");
                }

                foreach (var message in new NetlinkMessageEnumerator(datagram))
                {
                    if (message.Sequence != sequence || (message.PortId != 0 && message.PortId != PortId))
                    {
                        continue;
                    }

                    interrupted |= message.IsDumpInterrupted;
                    if (message.Type == NetlinkProtocol.Done)
                    {
                        var status = message.Payload.Length >= 4 ? -BitConverter.ToInt32(message.Payload) : 0;
                        if (status > 0)
                        {
                            throw new NetlinkException(operation, status);
                        }

                        done = true;
                        break;
                    }

                    if (NetlinkError.TryParse(message, out var error))
                    {
                        if (!error.IsAck)
                        {
                            throw new NetlinkException(operation, error.Errno, error.Message, error.Offset);
                        }

                        done = true;
                        break;
                    }

                    if (parse(message, out var value))
                    {
                        results.Add(value);
                    }
                }
            }

            if (!interrupted)
            {
                return results;
            }

            if (attempt == attempts)
            {
                throw new NetlinkException(operation, Errno.EBUSY, $"the dump was interrupted {attempts} times in a row");
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    private unsafe bool WaitReadable(TimeSpan timeout, string operation)
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            var poll = new PollFd { Fd = _handle.Fd, Events = Libc.PollIn };
            var milliseconds = timeout < TimeSpan.Zero ? -1 : (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalMilliseconds));
            while (true)
            {
                var ready = Libc.Poll(&poll, 1, milliseconds);
                if (ready >= 0)
                {
                    return ready > 0;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR)
                {
                    throw new NetlinkException(operation, errno);
                }
            }
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    private static void SetOption(NetlinkSafeHandle handle, int level, int name, int value, string operation)
    {
        if (Libc.SetSockOpt(handle, level, name, value, sizeof(int)) != 0)
        {
            throw new NetlinkException(operation, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Sets a buffer size, forcing it past the sysctl maximum where the process has CAP_NET_ADMIN.</summary>
    private static void SetBuffer(NetlinkSafeHandle handle, int forceOption, int option, int bytes, string which)
    {
        if (Libc.SetSockOpt(handle, NetlinkProtocol.SolSocket, forceOption, bytes, sizeof(int)) == 0)
        {
            return;
        }

        if (Libc.SetSockOpt(handle, NetlinkProtocol.SolSocket, option, bytes, sizeof(int)) != 0)
        {
            throw new NetlinkException($"sizing the netlink {which} buffer to {bytes} bytes", Marshal.GetLastPInvokeError());
        }
    }
}
