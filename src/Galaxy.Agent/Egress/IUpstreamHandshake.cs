namespace Galaxy.Agent.Egress;

/// <summary>Where a non-blocking handshake stands after one <see cref="IUpstreamHandshake.Advance"/>.</summary>
internal enum HandshakeProgress
{
    /// <summary>Every send and read that could go has gone: wait until the socket is ready again.</summary>
    Waiting,

    /// <summary>The upstream granted the connection; bytes may move.</summary>
    Done,

    /// <summary>The upstream refused or broke the handshake (<see cref="IUpstreamHandshake.Failure"/> says how).</summary>
    Failed,
}

/// <summary>
/// A proxy's handshake (SOCKS5, ...) on a connected socket, as a state machine that never blocks: each
/// <see cref="Advance"/> sends and reads until the socket would block (so edge-triggered readiness is never
/// missed) or the handshake ends. The splice loop runs it before any client byte moves. It owns only its
/// buffer, which <see cref="IDisposable.Dispose"/> gives back.
/// </summary>
internal interface IUpstreamHandshake : IDisposable
{
    HandshakeProgress Advance(int fd);

    /// <summary>After <see cref="HandshakeProgress.Failed"/>: the outcome and reason of the dial.</summary>
    DialResult Failure { get; }

    /// <summary>While <see cref="HandshakeProgress.Waiting"/>: true when it waits for room to send, not for bytes.</summary>
    bool WantsToSend { get; }

    /// <summary>After <see cref="HandshakeProgress.Done"/>: bytes the upstream sent past the handshake, the client's first.</summary>
    ReadOnlySpan<byte> Remainder { get; }
}
