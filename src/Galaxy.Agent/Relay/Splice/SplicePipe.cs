using System.Runtime.InteropServices;
using Galaxy.Agent.Interop;

namespace Galaxy.Agent.Relay.Splice;

/// <summary>
/// One kernel pipe used as splice's intermediate buffer: it owns both ends. A pipe is borrowed by a flow
/// direction only while bytes sit in it, and goes back to its loop's pool once drained.
/// </summary>
internal sealed class SplicePipe : IDisposable
{
    private SplicePipe(int readFd, int writeFd)
    {
        ReadFd = readFd;
        WriteFd = writeFd;
    }

    /// <summary>The pipe size asked for: 1 MiB, the default pipe-max-size.</summary>
    public const int PreferredCapacity = 1 << 20;

    public int ReadFd { get; private set; }

    /// <summary>What the pipe holds at most; one splice call asks for this much.</summary>
    public int Capacity { get; private init; }

    public int WriteFd { get; private set; }

    /// <summary>Bytes spliced in and not yet spliced out.</summary>
    public int Buffered { get; set; }

    /// <summary>
    /// Creates a non-blocking pipe of <paramref name="capacity"/> bytes (a page per slot; less where pipe-max-size or
    /// the user's pipe budget refuses it, then the size the kernel gave); null when the process is out of descriptors
    /// (the caller backs off).
    /// </summary>
    public static unsafe SplicePipe? TryCreate(out int errno, int capacity = PreferredCapacity)
    {
        var fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.OCloExec | Libc.ONonBlock) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        errno = 0;
        // A bigger pipe moves more per splice call; where the size is refused, the pipe keeps the one it has.
        var size = Libc.Fcntl(fds[1], Libc.FSetPipeSize, capacity);
        if (size <= 0)
        {
            size = Libc.Fcntl(fds[1], Libc.FGetPipeSize, 0);
        }

        return new SplicePipe(fds[0], fds[1]) { Capacity = size > 0 ? size : Environment.SystemPageSize };
    }

    public void Dispose()
    {
        if (ReadFd >= 0)
        {
            Libc.Close(ReadFd);
            Libc.Close(WriteFd);
            ReadFd = WriteFd = -1;
        }
    }
}
