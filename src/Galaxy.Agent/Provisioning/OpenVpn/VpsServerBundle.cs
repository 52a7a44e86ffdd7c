using System.Collections.Immutable;

namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>
/// Everything <c>galaxy vps openvpn</c> writes, made in memory first (<see cref="Create"/>, pure but for
/// randomness) and then written to a folder (<see cref="WriteTo"/>): the CA, the server's certificate
/// and key, the tls-crypt key, <c>server.conf</c>, <c>install.sh</c> and <c>NAME.ovpn</c>.
/// </summary>
internal sealed class VpsServerBundle
{
    public const string CaCertificate = "ca.crt";
    public const string CaKey = "ca.key";
    public const string ServerCertificate = "server.crt";
    public const string ServerKey = "server.key";
    public const string TlsCryptKeyFile = "tls-crypt.key";

    private VpsServerBundle(VpsServerSpec spec, VpsCertificates certificates, string tlsCryptKey, ImmutableArray<VpsFile> files)
    {
        Spec = spec;
        Certificates = certificates;
        TlsCryptKeyText = tlsCryptKey;
        Files = files;
    }

    public VpsServerSpec Spec { get; }

    public VpsCertificates Certificates { get; }

    public string TlsCryptKeyText { get; }

    /// <summary>The files in the order they are written and listed.</summary>
    public ImmutableArray<VpsFile> Files { get; }

    public static VpsServerBundle Create(VpsServerSpec spec, TimeProvider time)
    {
        var certificates = VpsCertificates.Create(spec, time.GetUtcNow());
        var tlsCrypt = TlsCryptKey.Generate();
        ImmutableArray<VpsFile> files =
        [
            new(CaCertificate, certificates.Authority.CertificatePem, VpsFile.Public, "CA certificate"),
            new(CaKey, certificates.Authority.PrivateKeyPem, VpsFile.Secret, "CA private key: keep it offline, the server does not need it"),
            new(ServerCertificate, certificates.Server.CertificatePem, VpsFile.Public, "server certificate"),
            new(ServerKey, certificates.Server.PrivateKeyPem, VpsFile.Secret, "server private key"),
            new(TlsCryptKeyFile, tlsCrypt, VpsFile.Secret, "tls-crypt key"),
            new(VpsServerConfig.FileName, VpsServerConfig.Render(spec), VpsFile.Public, "server configuration"),
            new(VpsInstallScript.FileName, VpsInstallScript.Render(spec), VpsFile.Executable, "installer for Debian/Alpine: run it as root on the VPS"),
            new(VpsClientProfile.FileName(spec), VpsClientProfile.Render(spec, certificates.Authority, certificates.Client, tlsCrypt), VpsFile.Secret,
                "client profile with inline credentials, for galaxy"),
        ];
        return new VpsServerBundle(spec, certificates, tlsCrypt, files);
    }

    /// <summary>
    /// Writes every file into <paramref name="directory"/> (created 0700 when missing). Without
    /// <paramref name="force"/>, refuses before writing anything when one of the files already exists.
    /// Each file is written to a temporary name with its final mode and then renamed into place, so a
    /// secret is never readable by others, not even for a moment. Returns the paths written.
    /// </summary>
    public ImmutableArray<string> WriteTo(string directory, bool force)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("the output's file modes (0600 for keys) need a Unix file system");
        }

        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
        {
            throw new VpsProvisioningException($"{full} is a file, not a folder");
        }

        if (!force)
        {
            var existing = Files.Select(f => Path.Combine(full, f.Name)).Where(p => File.Exists(p) || Directory.Exists(p)).ToArray();
            if (existing.Length > 0)
            {
                throw new VpsProvisioningException(
                    $"{full} already holds {string.Join(", ", existing.Select(Path.GetFileName))}: refusing to overwrite keys and certificates (pass --force to replace them)");
            }
        }

        try
        {
            if (!Directory.Exists(full))
            {
                Directory.CreateDirectory(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var written = ImmutableArray.CreateBuilder<string>(Files.Length);
            foreach (var file in Files)
            {
                var path = Path.Combine(full, file.Name);
                WriteOne(path, file);
                written.Add(path);
            }

            return written.MoveToImmutable();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VpsProvisioningException($"writing into {full}: {e.Message}", e);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void WriteOne(string path, VpsFile file)
    {
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = file.Mode,
            };
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false)))
            {
                writer.Write(file.Content);
            }

            // The umask may have taken bits away (an executable script): set the mode exactly.
            File.SetUnixFileMode(temporary, file.Mode);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
