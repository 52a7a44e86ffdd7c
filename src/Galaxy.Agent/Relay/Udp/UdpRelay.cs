using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Interop;

namespace Galaxy.Agent.Relay.Udp;

/// <summary>Picks the egress of a new UDP flow; a null dialer refuses it.</summary>
internal delegate FlowRoute UdpRoute(IPEndPoint client, IPEndPoint destination);

/// <summary>
/// The UDP side of the transparent relay, on one thread: the TPROXY listener's datagrams carry their original
/// destination (IP_RECVORIGDSTADDR); each (client, destination) gets a session with a transparent
/// client-side socket and an upstream socket through its egress. Later datagrams of the flow arrive on the
/// session's client-side socket (TPROXY prefers an established transparent socket), replies go back from
/// the original destination. A refused flow (no route, an egress that rejects or cannot carry UDP) is
/// answered with ICMP port unreachable from the original destination, a dropped one with nothing. The
/// table is bounded; idle sessions are swept every second. One receive buffer serves every datagram:
/// nothing is allocated per datagram. With a <see cref="FlowRegistry"/>, each session is accounted there
/// and can be closed from any thread.
/// </summary>
internal sealed partial class UdpRelay : IDisposable
{
    private const ulong WakeToken = 0;
    private const ulong ListenerToken = 1;
    private const int MaxDatagram = 65535;

    /// <summary>Room before each received datagram for a SOCKS5 UDP header (3 + 1 + 1 + 255 + 2 bytes), so it is never copied.</summary>
    private const int Headroom = 262;
    private const int MaxErrorsPerDrain = 8;

    // Datagrams taken from one socket per wake-up (epoll is level-triggered: the rest wait for the next turn), so a
    // client sending faster than the relay forwards cannot hold its only thread: other sessions, the listener,
    // closes and the idle sweep all get their turn.
    private const int MaxDatagramsPerDrain = 64;

    private readonly Socket _listener;
    private readonly int _listenerFd;
    private readonly UdpRoute _route;
    private readonly UdpRelayOptions _options;
    private readonly SocketFactory _sockets;
    private readonly UdpSessionTable<UdpSession> _table;
    private readonly Dictionary<long, UdpSession> _byId = [];
    private readonly int _epollFd;
    private readonly int _eventFd;
    private readonly Thread _thread;
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(Headroom + MaxDatagram, pinned: true);
    private readonly byte[] _name = GC.AllocateArray<byte>(128, pinned: true);
    private readonly byte[] _control = GC.AllocateArray<byte>(256, pinned: true);
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly FlowRegistry? _registry;
    private readonly UnreachableSender _unreachable;
    private volatile bool _stopping;
    private long _nextId = 16;
    private long _refused;
    private long _unreachableSent;
    private long _sessionsOpened;
    private int _sessionCount;

    public UdpRelay(Socket listener, UdpRoute route, UdpRelayOptions options, SocketFactory? sockets = null, FlowRegistry? registry = null,
        EgressDialFailures? dialFailures = null)
    {
        _registry = registry;
        _dialFailures = dialFailures;
        _listener = listener;
        _listener.Blocking = false;
        _listenerFd = (int)listener.SafeHandle.DangerousGetHandle();
        _route = route;
        _options = options;
        _sockets = sockets ?? SocketFactories.Default;
        _unreachable = new UnreachableSender(_sockets);
        _table = new UdpSessionTable<UdpSession>(options.MaxSessions, options.MaxSessionsPerClient);
        _epollFd = Libc.EpollCreate1(Libc.EpollCloExec);
        _eventFd = Libc.EventFd(0, Libc.EfdCloExec | Libc.EfdNonBlock);
        if (_epollFd < 0 || _eventFd < 0 || !Register(_eventFd, WakeToken) || !Register(_listenerFd, ListenerToken))
        {
            var errno = Marshal.GetLastPInvokeError();
            CloseDescriptors();
            throw new InvalidOperationException($"setting up the UDP relay's epoll set failed: errno {errno}");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "galaxy-udp" };
    }

    /// <summary>Datagrams dropped because their flow was refused (no route, or the egress cannot carry UDP).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>ICMP port unreachable messages sent to clients whose flow was refused.</summary>
    public long UnreachableSent => Volatile.Read(ref _unreachableSent);

    public long SessionsOpened => Interlocked.Read(ref _sessionsOpened);

    public int SessionCount => Volatile.Read(ref _sessionCount);

    /// <summary>A transparent UDP listener that reports each datagram's original destination.</summary>
    public static Socket Listen(IPEndPoint endPoint, SocketFactory? sockets = null) => TransparentListener.Udp(endPoint, sockets);

    public void Start() => _thread.Start();

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _stop.Cancel();
        if (_thread.IsAlive)
        {
            Wake();
            _thread.Join();
        }

        // Associations that finished meanwhile: their completions close what they opened.
        while (_posted.TryDequeue(out var action))
        {
            action();
        }

        foreach (var session in _table.All.ToArray())
        {
            _table.Remove(session.Key);
            Close(session);
        }

        _listener.Dispose();
        CloseDescriptors();
        _stop.Dispose();
    }

    private unsafe void Run()
    {
        var events = stackalloc EpollEvent[64];
        var nextSweep = Environment.TickCount64 + 1000;
        while (!_stopping)
        {
            var count = Libc.EpollWait(_epollFd, events, 64, 1000);
            for (var i = 0; i < count; i++)
            {
                var token = events[i].Data;
                if (token == WakeToken)
                {
                    ulong value;
                    Libc.Read(_eventFd, &value, sizeof(ulong));
                    while (_posted.TryDequeue(out var action))
                    {
                        action();
                    }
                }
                else if (token == ListenerToken)
                {
                    DrainListener();
                }
                else if (_byId.TryGetValue((long)(token >> 2), out var session))
                {
                    switch (token & 3)
                    {
                        case 0:
                            DrainClientSide(session);
                            break;
                        case 1:
                            DrainUpstream(session);
                            break;
                        default:
                            ControlReadable(session);
                            break;
                    }
                }
            }

            var now = Environment.TickCount64;
            if (now >= nextSweep)
            {
                nextSweep = now + 1000;
                foreach (var expired in _table.RemoveExpired(now))
                {
                    Close(expired);
                }
            }
        }
    }

    /// <summary>First datagrams of flows, with their original destination in the control data.</summary>
    private unsafe void DrainListener()
    {
        fixed (byte* start = _buffer, name = _name, control = _control)
        {
            var buffer = start + Headroom;
            for (var taken = 0; taken < MaxDatagramsPerDrain; taken++)
            {
                var vector = new IoVector { Base = buffer, Length = MaxDatagram };
                var message = new MessageHeader
                {
                    Name = name, NameLength = (uint)_name.Length, Vectors = &vector, VectorCount = 1,
                    Control = control, ControlLength = (nuint)_control.Length,
                };
                var received = Libc.RecvMsg(_listenerFd, &message, Libc.MsgDontWait);
                if (received < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Libc.EINTR)
                    {
                        continue;
                    }

                    return; // EAGAIN, or an error the next datagram will show again
                }

                var client = SocketAddressCodec.ReadSocketAddress(_name.AsSpan(0, (int)message.NameLength));
                var destination = SocketAddressCodec.ReadOriginalDestination(_control.AsSpan(0, (int)message.ControlLength));
                // A destination of the other family (an IPv6 packet to an IPv4-mapped address, which no host puts
                // on the wire) has no reply socket and no ICMP that could carry it: dropped, never routed.
                if (client is null || destination is null || client.AddressFamily != destination.AddressFamily)
                {
                    continue;
                }

                var now = Environment.TickCount64;
                var key = new UdpFlowKey(client, destination);
                if (!_table.TryGet(key, now, out var session))
                {
                    if (_pending.TryGetValue(key, out var pending))
                    {
                        pending.Enqueue(new ReadOnlySpan<byte>(buffer, (int)received));
                        continue; // its SOCKS5 association is being opened; the datagram waits for it
                    }

                    var epoch = _registry?.Epoch;
                    var route = _route(key.Client, key.Destination);
                    if (route.Dialer is IUdpAssociationDialer associating)
                    {
                        BeginAssociation(key, associating, route.Rule, epoch, new ReadOnlySpan<byte>(buffer, (int)received));
                        continue;
                    }

                    session = Open(key, route, epoch, now, out var answer);
                    if (session is null)
                    {
                        Interlocked.Increment(ref _refused);
                        if (answer)
                        {
                            // Refused: the client is told, as the destination itself would tell it.
                            if (_unreachable.TrySend(client, destination, (int)received, new ReadOnlySpan<byte>(buffer, (int)received), now))
                            {
                                Interlocked.Increment(ref _unreachableSent);
                            }
                        }

                        continue;
                    }
                }

                Forward(session.UpstreamFd, buffer, (int)received, session, up: true);
            }
        }
    }

    private void DrainClientSide(UdpSession session) => Drain(session, session.ClientSideFd, session.UpstreamFd, up: true);

    private void DrainUpstream(UdpSession session) => Drain(session, session.UpstreamFd, session.ClientSideFd, up: false);

    private unsafe void Drain(UdpSession session, int from, int to, bool up)
    {
        fixed (byte* start = _buffer)
        {
            var buffer = start + Headroom;
            // A socket error is reported once and cleared; a few in a row end this drain, so an error that keeps
            // coming back can never spin the relay's only thread.
            var errors = 0;
            for (var taken = 0; taken < MaxDatagramsPerDrain; taken++)
            {
                var received = Libc.Recv(from, buffer, MaxDatagram, Libc.MsgDontWait);
                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EAGAIN || ++errors > MaxErrorsPerDrain)
                    {
                        return;
                    }

                    continue; // EINTR, or a reported error (ECONNREFUSED after an ICMP unreachable): the flow stays
                }

                _table.Touch(session.Key, Environment.TickCount64);
                Forward(to, buffer, (int)received, session, up);
            }
        }
    }

    /// <summary>
    /// Sends one datagram on; <paramref name="buffer"/> has <see cref="Headroom"/> bytes before it. Through a SOCKS5
    /// association the UDP header goes before it on the way up, and is checked and taken off on the way down.
    /// </summary>
    private static unsafe void Forward(int fd, byte* buffer, int length, UdpSession session, bool up)
    {
        if (session.CloseRequested)
        {
            return; // the kill switch asked for its close, which the relay's thread has not reached yet
        }

        if (session.SocksHeader is { } header && !Socks5Frame(ref buffer, ref length, header, session, up))
        {
            return;
        }

        // A full socket buffer drops the datagram, as a router would.
        if (Libc.Send(fd, buffer, (nuint)length, Libc.MsgDontWait) == length)
        {
            if (session.SocksHeader is { } sent && up)
            {
                length -= sent.Length;
            }

            if (up)
            {
                session.BytesUp += length;
            }
            else
            {
                session.BytesDown += length;
            }
        }
    }

    /// <summary>
    /// Opens the session of a new flow; null when refused, with <paramref name="answer"/> saying whether the client
    /// is to hear an ICMP port unreachable (refused by the route or the egress) or nothing (dropped, or a local failure).
    /// </summary>
    private UdpSession? Open(UdpFlowKey key, FlowRoute route, long? routedAt, long now, out bool answer)
    {
        answer = true;
        if (route.Dialer is not { } dialer)
        {
            return null;
        }

        if (_registry?.ClosedSince(dialer.Name, routedAt) == true)
        {
            return null; // its egress was closed after it was routed: refused, never dialed
        }

        var dial = dialer.DialUdp(key.Destination);
        if (dial.Socket is not { } upstream)
        {
            answer = dial.Outcome != DialOutcome.Dropped;
            return null;
        }

        answer = false;
        var clientSide = CreateClientSide(key);
        if (clientSide is null)
        {
            upstream.Dispose();
            return null;
        }

        upstream.Blocking = false;
        var session = new UdpSession(key, clientSide, upstream, dialer.Name, RequestClose) { Id = _nextId++ };
        return Admit(session, dialer.Name, now, rule: route.Rule, routedAt: routedAt) ? session : null;
    }

    /// <summary>
    /// The client-side socket of a flow: transparent, bound to the original destination, connected to the client
    /// (so replies leave from the destination's address); null when it cannot be made (out of descriptors).
    /// </summary>
    private Socket? CreateClientSide(UdpFlowKey key)
    {
        Socket? clientSide = null;
        try
        {
            clientSide = _sockets(key.Destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            SocketOptions.SetTransparent(clientSide);
            clientSide.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            clientSide.Bind(key.Destination);
            clientSide.Connect(key.Client);
            clientSide.Blocking = false;
            return clientSide;
        }
        catch (SocketException)
        {
            clientSide?.Dispose();
            return null;
        }
    }

    /// <summary>Registers a new session (epoll, table, flow registry); false when it could not start (it is closed).</summary>
    private bool Admit(UdpSession session, string egress, long now, FlowRegistration? registration = null, string? rule = null, long? routedAt = null)
    {
        var key = session.Key;
        if (!Register(session.ClientSideFd, (ulong)session.Id << 2) || !Register(session.UpstreamFd, ((ulong)session.Id << 2) | 1) ||
            (session.ControlFd >= 0 && !Register(session.ControlFd, ((ulong)session.Id << 2) | 2)))
        {
            session.Dispose();
            if (registration is not null)
            {
                _registry?.End(registration);
            }

            return false;
        }

        _byId.Add(session.Id, session);
        Interlocked.Increment(ref _sessionsOpened);
        Interlocked.Increment(ref _sessionCount);
        var timeout = key.Destination.Port == 53 ? _options.DnsIdleTimeout : _options.IdleTimeout;
        if (_table.Add(key, session, now, (long)timeout.TotalMilliseconds) is { } evicted)
        {
            Close(evicted);
        }

        if (_registry is not null)
        {
            session.Registration = registration ?? _registry.Begin(FlowProtocol.Udp, key.Client, key.Destination, egress, rule, routedAt);
            if (!session.Registration.Attach(session))
            {
                // Its egress was closed this very moment: the flow does not start.
                _table.Remove(key);
                Close(session);
                return false;
            }
        }

        return true;
    }

    /// <summary>Posts the close of a session to the relay's thread (the flow registry's close).</summary>
    private void RequestClose(UdpSession session)
    {
        if (_stopping)
        {
            return;
        }

        _posted.Enqueue(() =>
        {
            if (_byId.ContainsKey(session.Id))
            {
                _table.Remove(session.Key);
                Close(session);
            }
        });
        Wake();
    }

    /// <summary>Closes a session the table has already let go of.</summary>
    private void Close(UdpSession session)
    {
        if (_byId.Remove(session.Id))
        {
            Interlocked.Decrement(ref _sessionCount);
        }

        session.Dispose(); // closing the descriptors removes them from the epoll set
        if (session.Registration is { } registration)
        {
            _registry!.End(registration);
        }
    }

    private unsafe bool Register(int fd, ulong token)
    {
        var registration = new EpollEvent { Events = Libc.EpollIn, Data = token };
        return Libc.EpollCtl(_epollFd, Libc.EpollCtlAdd, fd, &registration) == 0;
    }

    private unsafe void Wake()
    {
        ulong one = 1;
        Libc.Write(_eventFd, &one, sizeof(ulong));
    }

    private void CloseDescriptors()
    {
        if (_eventFd >= 0)
        {
            Libc.Close(_eventFd);
        }

        if (_epollFd >= 0)
        {
            Libc.Close(_epollFd);
        }
    }
}
