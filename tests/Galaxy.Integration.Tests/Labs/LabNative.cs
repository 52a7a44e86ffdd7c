using System.Runtime.InteropServices;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>The few libc calls the lab needs: signals by pid.</summary>
internal static partial class LabNative
{
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private const int Esrch = 3;

    /// <summary>Sends a signal; false when the process no longer exists.</summary>
    public static bool Signal(int pid, int signal)
    {
        if (Kill(pid, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Esrch ? false : throw new LabException($"kill({pid}, {signal}) failed: errno {errno}");
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
