using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>The outcome of reading a file for a profile: its bytes, or why it could not be read.</summary>
internal readonly record struct OvpnFileRead(byte[]? Content, string? Error, string? ResolvedPath, bool TooLarge = false)
{
    public static OvpnFileRead Failed(string error, string? resolvedPath = null) => new(null, error, resolvedPath);
}

/// <summary>
/// The profile's own folder: the only place a profile may name files (<c>ca ca.crt</c>). A reference
/// is resolved with <c>realpath</c> (every symlink and <c>..</c>) and must land inside the folder's own
/// real path; it is opened non-blocking (a FIFO cannot stall the import), without following a final
/// symlink, and read up to <see cref="OvpnParser.MaxFileBytes"/>.
/// </summary>
internal sealed class OvpnFolder
{
    private OvpnFolder(string realPath) => RealPath = realPath;

    /// <summary>The folder's canonical path.</summary>
    public string RealPath { get; }

    /// <summary>
    /// The folder of an existing profile file, after resolving the profile's own symlinks;
    /// <paramref name="realProfilePath"/> is the resolved file, the one to read.
    /// </summary>
    public static OvpnFolder? ForProfile(string profilePath, out string realProfilePath, out string? error)
    {
        var real = Interop.TryRealPath(profilePath, out var errno);
        if (real is null)
        {
            realProfilePath = profilePath;
            error = Errno(errno);
            return null;
        }

        realProfilePath = real;
        error = null;
        return new OvpnFolder(Path.GetDirectoryName(real) ?? "/");
    }

    /// <summary>A folder given directly (tests, or a profile stored by Galaxy).</summary>
    public static OvpnFolder? Open(string folder, out string? error)
    {
        var real = Interop.TryRealPath(folder, out var errno);
        error = real is null ? Errno(errno) : null;
        return real is null ? null : new OvpnFolder(real);
    }

    /// <summary>Reads a file named by the profile, relative to this folder.</summary>
    public OvpnFileRead Read(string reference)
    {
        if (reference.Length == 0)
        {
            return OvpnFileRead.Failed("empty file name");
        }

        var joined = Path.IsPathRooted(reference) ? reference : Path.Combine(RealPath, reference);
        var real = Interop.TryRealPath(joined, out var errno);
        if (real is null)
        {
            return OvpnFileRead.Failed($"cannot resolve the file: {Errno(errno)}");
        }

        if (RealPath == "/")
        {
            // A profile lying in / would make every file on the router "inside its folder".
            return OvpnFileRead.Failed("a profile in / cannot name files; keep it in a folder of its own", real);
        }

        if (!real.StartsWith(RealPath + "/", StringComparison.Ordinal))
        {
            return OvpnFileRead.Failed($"the file is outside the profile's folder {RealPath} (it resolves to {real})", real);
        }

        return ReadBounded(real);
    }

    /// <summary>Reads at most <see cref="OvpnParser.MaxFileBytes"/> bytes of a file without blocking on FIFOs.</summary>
    public static OvpnFileRead ReadBounded(string path)
    {
        var fd = Interop.Open(path, Interop.ORdOnly | Interop.ONonBlock | Interop.OCloExec | Interop.ONoFollow);
        if (fd < 0)
        {
            return OvpnFileRead.Failed($"cannot open the file: {Errno(Marshal.GetLastPInvokeError())}", path);
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            var buffer = new byte[OvpnParser.MaxFileBytes + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            return total > OvpnParser.MaxFileBytes
                ? new OvpnFileRead(null, $"the file is larger than {OvpnParser.MaxFileBytes} bytes", path, TooLarge: true)
                : new OvpnFileRead(buffer[..total], null, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return OvpnFileRead.Failed($"cannot read the file: {e.Message}", path);
        }
    }

    private static string Errno(int errno) => errno switch
    {
        2 => "no such file or directory (ENOENT)",
        13 => "permission denied (EACCES)",
        20 => "a path component is not a directory (ENOTDIR)",
        36 => "file name too long (ENAMETOOLONG)",
        40 => "too many levels of symbolic links (ELOOP)",
        _ => $"errno {errno}",
    };
}
