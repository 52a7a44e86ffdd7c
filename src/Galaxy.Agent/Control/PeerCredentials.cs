using System.Buffers.Binary;
using System.Net.Sockets;

namespace Galaxy.Agent.Control;

/// <summary>
/// Who is at the other end of a Unix socket, as the kernel recorded it at connect(): SO_PEERCRED.
/// <code>
/// struct ucred { pid_t pid; uid_t uid; gid_t gid; };   // 12 bytes, host order (linux/socket.h)
/// getsockopt(fd, SOL_SOCKET = 1, SO_PEERCRED = 17, &amp;ucred, &amp;len)
/// </code>
/// Read through <see cref="Socket.GetRawSocketOption"/>, which is the same getsockopt the runtime already
/// binds (NativeAOT-safe, no extra P/Invoke).
/// </summary>
internal readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static PeerCredentials Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length != 12)
        {
            throw new SocketException((int)SocketError.InvalidArgument);
        }

        return Decode(ucred);
    }

    /// <summary>Decodes a <c>struct ucred</c> (little-endian on every platform Galaxy ships for).</summary>
    public static PeerCredentials Decode(ReadOnlySpan<byte> ucred) => new(
        BinaryPrimitives.ReadInt32LittleEndian(ucred),
        BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]),
        BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]));
}
