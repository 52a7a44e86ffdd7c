namespace Galaxy.Netlink.Core.Interop;

/// <summary>
/// libc calls used by Galaxy.Netlink, one file per call (as in the .NET runtime's interop folders).
/// Every call is a <c>LibraryImport</c> with <c>SetLastError</c>; errno is read right after the call.
/// </summary>
internal static partial class Libc
{
    internal const string Name = "libc";
}
