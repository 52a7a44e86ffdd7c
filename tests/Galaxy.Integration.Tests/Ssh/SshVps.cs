using Galaxy.Integration.Tests.Agent;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Ssh;

/// <summary>
/// An SSH egress's far end in the router lab, made by the published <c>galaxy vps ssh</c>: the generated
/// sshd_config run by Debian's sshd in <c>inet</c> (port 2222 on every address there, so also 203.0.113.1),
/// install.sh's steps done by hand (the account with useradd, removed at dispose; the install folder is the
/// lab's, so the config's paths are rewritten to it), and the router's files with the snippet's paths
/// rewritten to the lab's folder.
/// </summary>
internal sealed class SshVps : IAsyncDisposable
{
    public const int Port = 2222;

    private readonly RouterLab _lab;
    private bool _userAdded;

    private SshVps(RouterLab lab, string name, string user, string directory)
    {
        _lab = lab;
        Name = name;
        User = user;
        Directory = directory;
    }

    public string Name { get; }

    public string User { get; }

    /// <summary>The output folder of galaxy vps ssh (server/ and router/).</summary>
    public string Directory { get; }

    public string ServerDirectory => Path.Combine(Directory, "server");

    public string RouterDirectory => Path.Combine(Directory, "router");

    /// <summary>The lab's stand-in for /etc/galaxy-ssh/NAME.</summary>
    public string InstallDirectory => Path.Combine(_lab.Lab.WorkDirectory, "galaxy-ssh-" + Name);

    public LabProcess? Sshd { get; private set; }

    /// <summary>Runs galaxy vps ssh for <c>203.0.113.1:2222</c> into the lab's folder.</summary>
    public static async Task<SshVps> CreateAsync(RouterLab lab, string name = "sshvps", string endpoint = RouterLab.Vps)
    {
        // Unique per test: the account is the host's (users are not namespaced); removed at dispose.
        var user = "gxt" + Guid.NewGuid().ToString("N")[..10];
        var directory = Path.Combine(lab.Lab.WorkDirectory, "vps-ssh-" + name);
        var made = await lab.Inet.RunAsync(Artifacts.GalaxyBinary, "vps", "ssh", "--name", name, "--endpoint", $"{endpoint}:{Port}", "--user", user, "--out", directory);
        if (made.ExitCode != 0)
        {
            throw new LabException($"galaxy vps ssh failed: {made.Describe()}");
        }

        return new SshVps(lab, name, user, directory);
    }

    /// <summary>install.sh's steps, adapted to the lab: the account, the config pointed at the lab's folder, sshd -D in inet.</summary>
    public async Task StartAsync()
    {
        if (!_userAdded)
        {
            await _lab.Inet.RunCheckedAsync("useradd", "--system", "--home-dir", "/nonexistent", "--no-create-home", "--shell", "/usr/sbin/nologin", User);
            _userAdded = true;
            await _lab.Inet.RunCheckedAsync("usermod", "-p", "*", User);
            System.IO.Directory.CreateDirectory("/run/sshd");

            // install.sh's copy: a 0755 folder, the host key 0600, the rest 0644 (sshd reads authorized_keys as the user).
            System.IO.Directory.CreateDirectory(InstallDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            foreach (var file in (string[])["ssh_host_ed25519_key", "ssh_host_ed25519_key.pub", "authorized_keys", "sshd_config"])
            {
                var target = Path.Combine(InstallDirectory, file);
                File.Copy(Path.Combine(ServerDirectory, file), target, overwrite: true);
                File.SetUnixFileMode(target, file == "ssh_host_ed25519_key"
                    ? UnixFileMode.UserRead | UnixFileMode.UserWrite
                    : UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            var config = Path.Combine(InstallDirectory, "sshd_config");
            var text = File.ReadAllText(config)
                .Replace($"/etc/galaxy-ssh/{Name}", InstallDirectory, StringComparison.Ordinal)
                .Replace($"/run/galaxy-ssh-{Name}.pid", Path.Combine(InstallDirectory, "sshd.pid"), StringComparison.Ordinal);
            File.WriteAllText(config, text);
            await _lab.Inet.RunCheckedAsync("/usr/sbin/sshd", "-t", "-f", config, "-o", "StrictModes=no");
        }

        // StrictModes=no: the lab's folder is under /tmp, which is world-writable (install.sh uses /etc/galaxy-ssh).
        Sshd = _lab.Inet.Start("/usr/sbin/sshd", "-D", "-e", "-f", Path.Combine(InstallDirectory, "sshd_config"), "-o", "StrictModes=no");
        await _lab.Inet.WaitForListenerAsync(Port);
    }

    /// <summary>The snippet galaxy vps ssh wrote, with the router's key folder pointed at the lab's copy.</summary>
    public string Egress(string? extra = null, string? name = null)
    {
        var snippet = File.ReadAllText(Path.Combine(RouterDirectory, $"{Name}.egress.toml"))
            .Replace("/etc/galaxy/ssh", RouterDirectory, StringComparison.Ordinal);
        if (name is not null)
        {
            snippet = snippet.Replace($"name = \"{Name}\"", $"name = \"{name}\"", StringComparison.Ordinal);
        }

        return extra is null ? snippet : snippet + extra + "\n";
    }

    public async ValueTask DisposeAsync()
    {
        if (Sshd is not null)
        {
            await Sshd.StopAsync();
        }

        if (_userAdded)
        {
            // -f: sshd's per-connection children may still run as the user until the agent is gone.
            await _lab.Inet.RunAsync("userdel", "-f", User);
        }
    }
}
