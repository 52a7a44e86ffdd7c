using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>
/// The server's small PKI, made with .NET's own crypto (no reflection, NativeAOT-safe): a self-signed
/// ECDSA P-256 CA that may sign leaves only (path length 0), a server certificate (serverAuth) and a
/// client certificate (clientAuth), all SHA-256, each with a random positive 128-bit serial. The CA is
/// valid <see cref="AuthorityLifetime"/>, leaves <see cref="LeafLifetime"/>; all start an hour back to
/// forgive clock skew.
/// </summary>
internal sealed class VpsCertificates
{
    public static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan LeafLifetime = TimeSpan.FromDays(1825);
    private static readonly TimeSpan Backdate = TimeSpan.FromHours(1);

    private VpsCertificates(PemCredential authority, PemCredential server, PemCredential client)
    {
        Authority = authority;
        Server = server;
        Client = client;
    }

    public PemCredential Authority { get; }

    public PemCredential Server { get; }

    public PemCredential Client { get; }

    /// <summary>Makes the CA and both leaves for <paramref name="spec"/> at time <paramref name="now"/>.</summary>
    public static VpsCertificates Create(VpsServerSpec spec, DateTimeOffset now)
    {
        var notBefore = now - Backdate;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest(Subject($"{spec.Name} OpenVPN CA"), caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, critical: false));
        using var ca = caRequest.Create(
            new X500DistinguishedName(caRequest.SubjectName.RawData),
            X509SignatureGenerator.CreateForECDsa(caKey),
            notBefore,
            notBefore + AuthorityLifetime,
            RandomSerial());
        var authority = new PemCredential(ca.ExportCertificatePem() + "\n", caKey.ExportPkcs8PrivateKeyPem() + "\n");

        var server = Issue(ca, caKey, spec.ServerCommonName, serverAuth: true, notBefore, spec.Endpoint);
        var client = Issue(ca, caKey, spec.Name, serverAuth: false, notBefore, endpoint: null);
        return new VpsCertificates(authority, server, client);
    }

    private static PemCredential Issue(X509Certificate2 ca, ECDsa caKey, string commonName, bool serverAuth, DateTimeOffset notBefore, VpsEndpoint? endpoint)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(commonName), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        var usage = serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2";
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (endpoint is not null)
        {
            // OpenVPN checks the common name (verify-x509-name); the address or name is there for other tools.
            var names = new SubjectAlternativeNameBuilder();
            if (System.Net.IPAddress.TryParse(endpoint.Host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(endpoint.Host.TrimEnd('.'));
            }

            request.CertificateExtensions.Add(names.Build());
        }

        var notAfter = notBefore + LeafLifetime;
        using var certificate = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), notBefore, notAfter, RandomSerial());
        return new PemCredential(certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static X500DistinguishedName Subject(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    /// <summary>16 random bytes, first bit clear (a positive INTEGER) and first byte non-zero (DER minimal).</summary>
    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }
}
