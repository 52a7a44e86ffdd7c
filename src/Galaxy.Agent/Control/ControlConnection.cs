using System.Net.Sockets;

namespace Galaxy.Agent.Control;

/// <summary>One accepted, authorised control connection and why it ended early (if it did).</summary>
internal sealed class ControlConnection(Socket socket, PeerCredentials peer, CancellationToken serverStopping) : IDisposable
{
    public Socket Socket { get; } = socket;

    public PeerCredentials Peer { get; } = peer;

    /// <summary>Cancelled on eviction, request timeout or server stop.</summary>
    public CancellationTokenSource Cancel { get; } = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);

    /// <summary>True while the request is still being read (such a connection may be evicted).</summary>
    public volatile bool Reading = true;

    /// <summary>Set when a newer connection took this one's slot.</summary>
    public volatile bool Evicted;

    public Task Handler { get; set; } = Task.CompletedTask;

    public LinkedListNode<ControlConnection>? Node { get; set; }

    public void Dispose()
    {
        Cancel.Dispose();
        Socket.Dispose();
    }
}
