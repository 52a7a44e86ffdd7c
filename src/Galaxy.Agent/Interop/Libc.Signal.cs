using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

internal static partial class Libc
{
    private const nint SigDfl = 0;
    private const nint SigIgn = 1;

    /// <summary><c>int sigaction(int signum, const struct sigaction *act, struct sigaction *oldact)</c>, to read a disposition.</summary>
    [LibraryImport(Name, EntryPoint = "sigaction", SetLastError = true)]
    private static unsafe partial int SigAction(int signal, void* action, void* previous);

    /// <summary><c>sighandler_t signal(int signum, sighandler_t handler)</c>.</summary>
    [LibraryImport(Name, EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);

    /// <summary>
    /// Sets <paramref name="signal"/> back to its default action when the process inherited it as ignored (a shell's
    /// <c>nohup</c> or <c>trap '' HUP</c>, some service managers); true when it did. Nothing else is touched: a
    /// handler already installed stays.
    /// </summary>
    internal static unsafe bool UnignoreSignal(int signal)
    {
        // struct sigaction is 152 bytes on x86-64 and aarch64, glibc and musl alike; on all the handler comes first.
        var previous = stackalloc byte[256];
        if (SigAction(signal, null, previous) != 0 || *(nint*)previous != SigIgn)
        {
            return false;
        }

        return Signal(signal, SigDfl) == SigIgn;
    }

    /// <summary>Sets <paramref name="signal"/> to be ignored (as it was inherited, once Galaxy no longer handles it).</summary>
    internal static void IgnoreSignal(int signal) => Signal(signal, SigIgn);
}
