using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// A long byte stream that costs almost no CPU to make: one seeded 1 MiB random block, with the block's
/// index written into its first 8 bytes, so a lost, repeated or reordered block changes the hash.
/// </summary>
internal sealed class DeterministicStream(int seed)
{
    public const int BlockSize = 1 << 20;

    private readonly byte[] _block = MakeBlock(seed);

    /// <summary>Sends <paramref name="blocks"/> blocks, then FIN; returns the SHA-256 of what was sent.</summary>
    public async Task<byte[]> SendAsync(Socket socket, int blocks, bool shutdown, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long i = 0; i < blocks; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_block, i);
            hash.AppendData(_block);
            await LabTcp.SendAllAsync(socket, _block, cancellationToken);
        }

        if (shutdown)
        {
            socket.Shutdown(SocketShutdown.Send);
        }

        return hash.GetHashAndReset();
    }

    /// <summary>Reads until the peer's FIN; returns the byte count and SHA-256 (a reset throws).</summary>
    public static async Task<(long Bytes, byte[] Hash)> ReceiveAllAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BlockSize];
        long total = 0;
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        return (total, hash.GetHashAndReset());
    }

    private static byte[] MakeBlock(int seed)
    {
        var block = new byte[BlockSize];
        new Random(seed).NextBytes(block);
        return block;
    }
}
