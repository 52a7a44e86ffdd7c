using System.Runtime.InteropServices;

namespace Galaxy.Agent.Control;

/// <summary>libc calls of the control socket: chown(2) to hand the socket and its directory to the control group.</summary>
internal static partial class ControlInterop
{
    /// <summary>Leaves the owner (or group) as it is: (uid_t)-1.</summary>
    public const uint Unchanged = uint.MaxValue;

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);

    /// <summary>chown(path, -1, group); throws with errno on failure.</summary>
    public static void SetGroup(string path, uint group)
    {
        if (Chown(path, Unchanged, group) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"chown {path} to group {group}: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})");
        }
    }
}
