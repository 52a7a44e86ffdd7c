using System.Net.Sockets;

namespace Galaxy.Agent.Egress.Proxy;

/// <summary>
/// Runs a non-blocking <see cref="IUpstreamHandshake"/> on the async dial path: between its steps it waits
/// for the proxy's next bytes with a one-byte peek (which takes nothing from the socket), so no thread is held
/// while the proxy thinks. Bounded by the caller's token.
/// </summary>
internal static class HandshakeDriver
{
    /// <summary>Where the peeked byte lands; never read, so all handshakes may share it.</summary>
    private static readonly byte[] PeekTarget = new byte[1];

    public static async ValueTask<HandshakeProgress> RunAsync(Socket socket, IUpstreamHandshake handshake, CancellationToken cancellationToken)
    {
        var fd = (int)socket.SafeHandle.DangerousGetHandle();
        while (true)
        {
            var progress = handshake.Advance(fd);
            if (progress != HandshakeProgress.Waiting)
            {
                return progress;
            }

            if (handshake.WantsToSend)
            {
                // A handshake message does not fill a fresh socket's send buffer; should it ever, wait for room.
                while (!socket.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectWrite))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                continue;
            }

            await socket.ReceiveAsync(PeekTarget, SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
        }
    }
}
