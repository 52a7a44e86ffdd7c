using System.Net;
using System.Net.Sockets;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>TCP sockets of the test process inside lab hosts, with bounded connects and helpers for whole transfers.</summary>
internal static class LabTcp
{
    public static Socket Listen(LabHost host, IPEndPoint endPoint, int backlog = 128)
    {
        var socket = NetworkNamespace.Run(host.NamespacePath, () => new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endPoint);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A socket of <paramref name="host"/> connected to <paramref name="destination"/>; fails after <paramref name="timeout"/>.</summary>
    public static async Task<Socket> ConnectAsync(LabHost host, IPEndPoint destination, TimeSpan timeout)
    {
        var socket = NetworkNamespace.Run(host.NamespacePath, () => new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(destination, deadline.Token);
            return socket;
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            Assert.Fail($"connecting from {host} to {destination}: no connection within {timeout.TotalSeconds:0.#} s");
            throw;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            bytes = bytes[sent..];
        }
    }

    /// <summary>
    /// What the next receive ends with: bytes, a clean end (FIN), or an error such as a reset. Bounded by
    /// <paramref name="timeout"/> (then <see cref="SocketError.TimedOut"/>).
    /// </summary>
    public static async Task<(int Bytes, SocketError Error)> ReceiveOnceAsync(Socket socket, Memory<byte> buffer, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token), SocketError.Success);
        }
        catch (SocketException e)
        {
            return (0, e.SocketErrorCode);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return (0, SocketError.TimedOut);
        }
    }
}
