using System.Runtime.InteropServices;

namespace Galaxy.Agent.Interop;

/// <summary>
/// Handles a POSIX signal even when the process inherited it as ignored. .NET's <see cref="PosixSignalRegistration"/>
/// leaves an inherited <c>SIG_IGN</c> in place, so an agent started under <c>nohup</c> (or by a manager that ignores
/// SIGHUP for its children) would never see a reload request, silently; this sets such a signal back to its default
/// action first, as a daemon that asks for a signal should.
/// </summary>
internal static class PosixSignals
{
    public static PosixSignalRegistration Handle(PosixSignal signal, Action<PosixSignalContext> handler)
    {
        Libc.UnignoreSignal(signal switch
        {
            PosixSignal.SIGHUP => 1,
            PosixSignal.SIGTERM => 15,
            _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "not a signal Galaxy handles"),
        });
        return PosixSignalRegistration.Create(signal, handler);
    }
}
