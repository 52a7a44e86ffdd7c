using System.Net;
using System.Net.Sockets;

namespace Galaxy.Agent.Tests.Egress;

/// <summary>
/// A loopback TCP pair for a proxy handshake under test: the relay's non-blocking end, and a scripted proxy
/// end that reads what the handshake sent and answers.
/// </summary>
internal sealed class HandshakeWire : IDisposable
{
    private readonly Socket _relay;
    private readonly Socket _proxy;

    public HandshakeWire()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _relay = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _relay.Connect(listener.LocalEndPoint!);
        _proxy = listener.Accept();
        _proxy.ReceiveTimeout = 5000;
        _relay.Blocking = false;
    }

    /// <summary>The relay end's descriptor, for <c>Advance</c>.</summary>
    public int Fd => (int)_relay.SafeHandle.DangerousGetHandle();

    /// <summary>Exactly what the handshake sent for this step (hex), and nothing more.</summary>
    public string ReadFromRelay(int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = _proxy.Receive(buffer, read, count - read, SocketFlags.None);
            Assert.True(n > 0, "the handshake's socket closed");
            read += n;
        }

        Assert.False(_proxy.Poll(TimeSpan.FromMilliseconds(20), SelectMode.SelectRead), "the handshake sent more than this step's message");
        return Convert.ToHexStringLower(buffer);
    }

    /// <summary>The proxy's answer (hex), once it is readable on the handshake's side.</summary>
    public void Answer(string hex) => AnswerBytes(Convert.FromHexString(hex));

    public void AnswerBytes(byte[] bytes)
    {
        _proxy.Send(bytes);
        Assert.True(_relay.Poll(TimeSpan.FromSeconds(5), SelectMode.SelectRead), "the answer did not arrive");
    }

    /// <summary>The proxy closes its side; the handshake's end sees the FIN.</summary>
    public void CloseProxy()
    {
        _proxy.Shutdown(SocketShutdown.Send);
        Assert.True(_relay.Poll(TimeSpan.FromSeconds(5), SelectMode.SelectRead), "the FIN did not arrive");
    }

    public void Dispose()
    {
        _relay.Dispose();
        _proxy.Dispose();
    }
}
