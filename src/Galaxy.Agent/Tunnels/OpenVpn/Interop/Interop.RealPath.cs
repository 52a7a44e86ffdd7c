using System.Runtime.InteropServices;

namespace Galaxy.Agent.Tunnels.OpenVpn;

internal static partial class Interop
{
    /// <summary>
    /// <c>char *realpath(const char *path, char *resolved_path)</c> with a null buffer: libc allocates
    /// the result, which <see cref="Free"/> releases. Resolves every symlink and <c>..</c> component.
    /// </summary>
    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint RealPath(string path, nint resolvedPath);

    /// <summary><c>void free(void *ptr)</c>.</summary>
    [LibraryImport("libc", EntryPoint = "free")]
    internal static partial void Free(nint pointer);

    /// <summary>The canonical absolute path of an existing file, or the errno that prevented it.</summary>
    internal static string? TryRealPath(string path, out int errno)
    {
        var resolved = RealPath(path, 0);
        if (resolved == 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        try
        {
            errno = 0;
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }
}
