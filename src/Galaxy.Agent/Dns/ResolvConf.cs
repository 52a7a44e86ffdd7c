using System.Net;
using System.Text;

namespace Galaxy.Agent.Dns;

/// <summary>
/// Writes the router's own /etc/resolv.conf so that it points at the agent, at every boot: a resolver left
/// there by an earlier OpenVPN (or DHCP) can never strand the router. Atomic: the new file is written beside
/// the old one, flushed, and renamed over it, so a reader sees the old file or the new, never half of one.
/// A symbolic link at <c>path</c> (systemd-resolved's stub) is replaced by the file, not followed.
/// </summary>
internal static class ResolvConf
{
    public static string Render(IPAddress server) =>
        $"# Written by galaxy at start; rewritten at every boot. Queries go to the galaxy agent, which forwards them through a tunnel.\nnameserver {server}\n";

    public static void Write(string path, IPAddress server)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(server);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"{path} has no directory", nameof(path));
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.galaxy-{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(Encoding.ASCII.GetBytes(Render(server)));
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new IOException($"writing {full} (nameserver {server}): {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
