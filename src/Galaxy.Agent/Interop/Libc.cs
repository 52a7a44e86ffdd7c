namespace Galaxy.Agent.Interop;

/// <summary>
/// libc calls of the agent's data plane, one file per call (the .NET runtime's interop layout). Every call
/// is a <c>LibraryImport</c> with <c>SetLastError</c>; callers read errno right after the call.
/// </summary>
internal static partial class Libc
{
    internal const string Name = "libc";

    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EPIPE = 32;
    internal const int ECONNRESET = 104;
    internal const int EMFILE = 24;
    internal const int ENFILE = 23;
}
