using System.Net;
using System.Net.Sockets;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>A TCP echo server inside a lab host, run by the test process (accept loop, one task per connection).</summary>
internal sealed class TcpEchoServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TcpEchoServer(Socket listener)
    {
        _listener = listener;
        _loop = Task.Run(() => AcceptAsync(_stop.Token));
    }

    public static TcpEchoServer Start(LabHost host, IPEndPoint endPoint) => new(LabTcp.Listen(host, endPoint));

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = EchoAsync(connection, cancellationToken);
        }
    }

    private static async Task EchoAsync(Socket connection, CancellationToken cancellationToken)
    {
        using (connection)
        {
            var buffer = new byte[16384];
            try
            {
                int read;
                while ((read = await connection.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
                {
                    await LabTcp.SendAllAsync(connection, buffer.AsMemory(0, read), cancellationToken);
                }

                connection.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        _stop.Dispose();
    }
}
