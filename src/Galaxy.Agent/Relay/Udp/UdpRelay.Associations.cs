using System.Net;
using System.Runtime.InteropServices;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Egress.Socks5;
using Galaxy.Agent.Interop;

namespace Galaxy.Agent.Relay.Udp;

/// <summary>
/// UDP through SOCKS5 (RFC 1928 UDP ASSOCIATE): opening an association takes a TCP handshake, so it runs off
/// the relay's thread while the flow's first datagrams wait (a few, in a bounded number of pending flows); the
/// session then sends each datagram up behind the UDP header naming its destination, accepts from the proxy
/// only datagrams that say they come from that destination, and ends when the proxy closes the association's
/// control connection.
/// </summary>
internal sealed partial class UdpRelay
{
    private const int MaxPendingAssociations = 64;
    private const int MaxQueuedPerAssociation = 8;

    private readonly Dictionary<UdpFlowKey, PendingAssociation> _pending = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly EgressDialFailures? _dialFailures;

    /// <summary>Flows whose SOCKS5 association is being opened.</summary>
    public int PendingAssociations => Volatile.Read(ref _pendingCount);

    private int _pendingCount;

    private void BeginAssociation(UdpFlowKey key, IUdpAssociationDialer dialer, string? rule, long? routedAt, ReadOnlySpan<byte> first)
    {
        if (_pending.Count >= MaxPendingAssociations)
        {
            Interlocked.Increment(ref _refused); // overloaded: dropped, the client retries
            return;
        }

        // Registered before the association opens, so the kill switch also stops a flow still being associated.
        var registration = _registry?.Begin(FlowProtocol.Udp, key.Client, key.Destination, dialer.Name, rule, routedAt);
        if (registration is { CloseRequested: true })
        {
            _registry!.End(registration);
            Interlocked.Increment(ref _refused);
            return; // its egress was closed after it was routed: never associated
        }

        var pending = new PendingAssociation(dialer, registration);
        pending.Enqueue(first);
        _pending.Add(key, pending);
        Interlocked.Increment(ref _pendingCount);
        _ = AssociateAsync(key, pending);
    }

    private async Task AssociateAsync(UdpFlowKey key, PendingAssociation pending)
    {
        (UdpAssociation? Association, DialOutcome Outcome, string? Reason) result;
        try
        {
            result = await pending.Dialer.AssociateUdpAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Whatever went wrong, the completion below must run: it ends the flow's registration and frees its
            // pending slot (without it the flow would stay pending, silent, for good).
            result = (null, DialOutcome.Failed, e.Message);
        }

        _posted.Enqueue(() => CompleteAssociation(key, pending, result.Association, result.Reason));
        if (!_stopping)
        {
            Wake();
        }
    }

    /// <summary>On the relay's thread: the association is open (or not); the session starts and its waiting datagrams go.</summary>
    private unsafe void CompleteAssociation(UdpFlowKey key, PendingAssociation pending, UdpAssociation? association, string? reason)
    {
        _pending.Remove(key);
        Interlocked.Decrement(ref _pendingCount);
        if (_stopping)
        {
            association?.Dispose();
            if (pending.Registration is { } registration)
            {
                _registry!.End(registration);
            }

            return;
        }

        var now = Environment.TickCount64;
        var closed = pending.Registration is { CloseRequested: true };
        var clientSide = association is null || closed ? null : CreateClientSide(key);
        if (association is null || clientSide is null)
        {
            association?.Dispose();
            if (pending.Registration is { } registration)
            {
                _registry!.End(registration);
            }

            if (closed)
            {
                return; // its egress was closed while it was being associated: dropped
            }

            Interlocked.Add(ref _refused, pending.Queued.Count);
            if (association is null)
            {
                _dialFailures?.Record(pending.Dialer.Name, key.Destination, reason);
            }

            var first = pending.Queued[0];
            if (_unreachable.TrySend(key.Client, key.Destination, first.Length, first, now))
            {
                Interlocked.Increment(ref _unreachableSent);
            }

            return;
        }

        association.Relay.Blocking = false;
        association.Control.Blocking = false;
        var header = new byte[Socks5Address.FromEndPoint(key.Destination).EncodedLength + 3];
        Socks5Codec.WriteUdpHeader(header, Socks5Address.FromEndPoint(key.Destination));
        var session = new UdpSession(key, clientSide, association.Relay, pending.Dialer.Name, RequestClose, association.Control, header) { Id = _nextId++ };
        if (!Admit(session, pending.Dialer.Name, now, pending.Registration))
        {
            return;
        }

        fixed (byte* start = _buffer)
        {
            foreach (var datagram in pending.Queued)
            {
                datagram.CopyTo(_buffer.AsSpan(Headroom));
                Forward(session.UpstreamFd, start + Headroom, datagram.Length, session, up: true);
            }
        }
    }

    /// <summary>
    /// Frames a datagram of a SOCKS5 session in place: up, the header goes into the headroom before it; down,
    /// the header is checked (it must name the flow's destination) and skipped. False drops the datagram.
    /// </summary>
    private static unsafe bool Socks5Frame(ref byte* buffer, ref int length, byte[] header, UdpSession session, bool up)
    {
        if (up)
        {
            buffer -= header.Length;
            header.CopyTo(new Span<byte>(buffer, header.Length));
            length += header.Length;
            return true;
        }

        if (Socks5Codec.ReadUdpHeader(new ReadOnlySpan<byte>(buffer, length), out var source, out var headerLength) != Socks5Decode.Done ||
            source.Address is not { } address || source.Port != session.Key.Destination.Port ||
            !Unmap(address).Equals(Unmap(session.Key.Destination.Address)))
        {
            return false; // not from the flow's destination: the relay answers for that address only
        }

        buffer += headerLength;
        length -= headerLength;
        return true;
    }

    private static IPAddress Unmap(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The association's control connection spoke or closed: it closed (or failed), and the session ends with it.</summary>
    private unsafe void ControlReadable(UdpSession session)
    {
        byte ignored;
        var read = Libc.Recv(session.ControlFd, &ignored, 1, Libc.MsgDontWait);
        if (read > 0 || (read < 0 && Marshal.GetLastPInvokeError() is Libc.EAGAIN or Libc.EINTR))
        {
            return;
        }

        _table.Remove(session.Key);
        Close(session);
    }

    private sealed class PendingAssociation(IUdpAssociationDialer dialer, FlowRegistration? registration)
    {
        public IUdpAssociationDialer Dialer { get; } = dialer;

        public FlowRegistration? Registration { get; } = registration;

        public List<byte[]> Queued { get; } = [];

        public void Enqueue(ReadOnlySpan<byte> datagram)
        {
            if (Queued.Count < MaxQueuedPerAssociation)
            {
                Queued.Add(datagram.ToArray());
            }
        }
    }
}
