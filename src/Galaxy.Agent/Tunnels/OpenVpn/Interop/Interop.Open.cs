using System.Runtime.InteropServices;

namespace Galaxy.Agent.Tunnels.OpenVpn;

internal static partial class Interop
{
    /// <summary><c>int open(const char *pathname, int flags)</c> (no mode: never creates).</summary>
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    internal const int ORdOnly = 0;

    /// <summary>Opening a FIFO must not wait for a writer: <c>O_NONBLOCK</c> (04000 on every Linux ABI).</summary>
    internal const int ONonBlock = 0x800;

    /// <summary><c>O_CLOEXEC</c> (02000000 on every Linux ABI).</summary>
    internal const int OCloExec = 0x80000;

    /// <summary><c>O_NOFOLLOW</c>: 0400000 on x86 and x86-64, 0100000 on arm and arm64.</summary>
    internal static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;
}
