using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Relay;

namespace Galaxy.Agent.Egress;

/// <summary>
/// Dials through a tunnel device: the socket carries the egress's mark (SO_MARK) and is bound to the
/// device (SO_BINDTODEVICE), so its packets can neither fall back to another route when the device is gone
/// nor re-enter the relay's interception. Without a device the socket is only marked, and policy routing
/// for that mark decides where it goes (how an upstream proxy on the WAN is reached).
/// </summary>
internal sealed class DeviceDialer : IInLoopConnectDialer
{
    private readonly string? _device;
    private readonly uint _mark;
    private readonly TimeSpan _connectTimeout;
    private readonly SocketFactory _sockets;

    public DeviceDialer(string name, string? device, uint mark, TimeSpan connectTimeout, SocketFactory? sockets = null)
    {
        if (device is not null && (device.Length is 0 or > 15 || device.Any(c => c is '/' or ' ' || char.IsControl(c))))
        {
            throw new ArgumentException($"\"{device}\" is not an interface name", nameof(device));
        }

        Name = name;
        _device = device;
        _mark = mark;
        _connectTimeout = connectTimeout;
        _sockets = sockets ?? SocketFactories.Default;
    }

    public string Name { get; }

    public TimeSpan ConnectTimeout => _connectTimeout;

    public async ValueTask<DialResult> DialTcpAsync(IPEndPoint destination, CancellationToken cancellationToken)
    {
        if (Create(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp, out var failure) is not { } socket)
        {
            return failure;
        }

        try
        {
            Confine(socket);

            socket.NoDelay = true;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_connectTimeout);
            await socket.ConnectAsync(destination, deadline.Token).ConfigureAwait(false);
            return DialResult.Connected(socket);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return DialResult.FromSocketError(e.SocketErrorCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            return DialResult.Failure(DialOutcome.TimedOut, $"no answer from {destination} via {this} within {_connectTimeout.TotalSeconds:0.#} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public bool CanStartInLoop => true;

    public DialResult StartConnect(IPEndPoint destination, out IUpstreamHandshake? handshake)
    {
        handshake = null;
        if (Create(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp, out var failure) is not { } socket)
        {
            return failure;
        }

        try
        {
            Confine(socket);

            socket.NoDelay = true;

            // Non-blocking from .NET's own view too: the connect is a plain syscall (EINPROGRESS), so the
            // socket is not registered with .NET's socket engine.
            socket.Blocking = false;
            var started = NonBlockingConnect.Start(socket, destination);
            if (started is SocketError.InProgress or SocketError.Success)
            {
                return DialResult.Connected(socket);
            }

            socket.Dispose();
            return DialResult.FromSocketError(started);
        }
        catch (SocketException e)
        {
            // The device is gone (SO_BINDTODEVICE), or no descriptor is left.
            socket.Dispose();
            return DialResult.FromSocketError(e.SocketErrorCode);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public DialResult DialUdp(IPEndPoint destination)
    {
        if (Create(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp, out var failure) is not { } socket)
        {
            return failure;
        }

        try
        {
            Confine(socket);

            socket.Connect(destination);
            return DialResult.Connected(socket);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return DialResult.FromSocketError(e.SocketErrorCode);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override string ToString() => _device is null ? $"{Name} (mark {_mark})" : $"{Name} (dev {_device}, mark {_mark})";

    /// <summary>
    /// A new socket, or null with the dial's failure when none can be made: out of descriptors (the process's
    /// limit, EMFILE) is an outcome of the dial like any other, never an exception that could end a relay's thread.
    /// </summary>
    private Socket? Create(AddressFamily family, SocketType type, ProtocolType protocol, out DialResult failure)
    {
        try
        {
            failure = default;
            return _sockets(family, type, protocol);
        }
        catch (SocketException e)
        {
            failure = DialResult.FromSocketError(e.SocketErrorCode);
            return null;
        }
    }

    /// <summary>The egress's mark, and its device when it has one: the socket can leave no other way.</summary>
    private void Confine(Socket socket)
    {
        SocketOptions.SetMark(socket, _mark);
        if (_device is not null)
        {
            SocketOptions.BindToDevice(socket, _device);
        }
    }
}
