using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

/// <summary>
/// Handles a POSIX signal even when the process inherited it as ignored. .NET's <see cref="PosixSignalRegistration"/>
/// leaves an inherited <c>SIG_IGN</c> in place, so an agent started under <c>nohup</c> (or by a manager that ignores
/// SIGHUP for its children) would never see a reload request, silently; this sets such a signal back to its default
/// action first, as a daemon that asks for a signal should, and ignores it again once it is no longer handled.
/// </summary>
internal static class PosixSignals
{
    public static IDisposable Handle(PosixSignal signal, Action<PosixSignalContext> handler)
    {
        var number = signal switch
        {
            PosixSignal.SIGHUP => 1,
            PosixSignal.SIGTERM => 15,
            _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "not a signal Galaxy handles"),
        };
        var wasIgnored = Libc.UnignoreSignal(number);
        return new Handled(PosixSignalRegistration.Create(signal, handler), number, wasIgnored);
    }

    private sealed class Handled(PosixSignalRegistration registration, int number, bool wasIgnored) : IDisposable
    {
        public void Dispose()
        {
            registration.Dispose();
            if (wasIgnored)
            {
                Libc.IgnoreSignal(number);
            }
        }
    }
}
