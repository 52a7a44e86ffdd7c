using System.Diagnostics;

namespace Galaxy.Agent.Provisioning.Ssh;

/// <summary>An OpenSSH key pair as text: the private key (OpenSSH format) and the public key line.</summary>
internal sealed record SshKeyPair(string PrivateKey, string PublicKey)
{
    /// <summary>The public key without its comment: <c>ssh-ed25519 AAAA…</c>.</summary>
    public string PublicKeyBare => string.Join(' ', PublicKey.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2));

    public override string ToString() => $"key pair {PublicKeyBare}";

    /// <summary>
    /// A new Ed25519 pair from <c>ssh-keygen</c> (openssh-client, which the router needs anyway to run its SSH
    /// egresses). Why not .NET: the base library has no Ed25519, and the OpenSSH private key format is
    /// best written by OpenSSH itself. The key is made in a private (0700) temporary folder and removed.
    /// </summary>
    public static SshKeyPair Generate(string comment, string sshKeygen = "ssh-keygen")
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("ssh-keygen and 0600 key files need a Unix system");
        }

        var directory = Directory.CreateTempSubdirectory("galaxy-keygen-");
        try
        {
            File.SetUnixFileMode(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var path = Path.Combine(directory.FullName, "key");
            var start = new ProcessStartInfo(sshKeygen)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new VpsSshException($"cannot start {sshKeygen}");
            var error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new VpsSshException($"{sshKeygen} failed with code {process.ExitCode}: {error.Trim()}");
            }

            return new SshKeyPair(File.ReadAllText(path), File.ReadAllText(path + ".pub").Trim() + "\n");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VpsSshException($"cannot run {sshKeygen} (install openssh-client): {e.Message}", e);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

/// <summary>A refusal of <c>galaxy vps ssh</c> that is not a usage error (the folder, ssh-keygen).</summary>
internal sealed class VpsSshException : Exception
{
    public VpsSshException(string message) : base(message)
    {
    }

    public VpsSshException(string message, Exception inner) : base(message, inner)
    {
    }

    public VpsSshException()
    {
    }
}
