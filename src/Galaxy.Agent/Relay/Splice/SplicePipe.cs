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

    public int ReadFd { get; private set; }

    public int WriteFd { get; private set; }

    /// <summary>Bytes spliced in and not yet spliced out.</summary>
    public int Buffered { get; set; }

    /// <summary>Creates a non-blocking pipe; null when the process is out of descriptors (the caller backs off).</summary>
    public static unsafe SplicePipe? TryCreate(out int errno)
    {
        var fds = stackalloc int[2];
        if (Libc.Pipe2(fds, Libc.OCloExec | Libc.ONonBlock) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        errno = 0;
        return new SplicePipe(fds[0], fds[1]);
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
