using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Galaxy.Agent.Provisioning.OpenVpn;

namespace Galaxy.Agent.Tests.Provisioning.OpenVpn;

public sealed class VpsCertificatesTests
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private static readonly VpsCertificates Made = VpsCertificates.Create(VpsSamples.Spec(), VpsSamples.Now);

    [Fact]
    public void Server_and_client_certificates_chain_to_the_generated_CA_and_to_no_other()
    {
        using var ca = X509Certificate2.CreateFromPem(Made.Authority.CertificatePem);
        using var server = X509Certificate2.CreateFromPem(Made.Server.CertificatePem);
        using var client = X509Certificate2.CreateFromPem(Made.Client.CertificatePem);

        AssertChains(server, ca, ServerAuth, expected: true);
        AssertChains(client, ca, ClientAuth, expected: true);

        var other = VpsCertificates.Create(VpsSamples.Spec(), VpsSamples.Now);
        using var otherCa = X509Certificate2.CreateFromPem(other.Authority.CertificatePem);
        AssertChains(client, otherCa, ClientAuth, expected: false);
    }

    [Fact]
    public void The_CA_is_a_P256_CA_limited_to_signing_leaves()
    {
        using var ca = X509Certificate2.CreateFromPem(Made.Authority.CertificatePem);
        Assert.Equal("CN=home OpenVPN CA", ca.Subject);
        Assert.Equal(ca.Subject, ca.Issuer);
        AssertP256(ca, Made.Authority.PrivateKeyPem);

        var constraints = ca.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(constraints.Critical, "basicConstraints of the CA should be critical");
        Assert.True(constraints.CertificateAuthority, "basicConstraints should say CA:true");
        Assert.True(constraints.HasPathLengthConstraint && constraints.PathLengthConstraint == 0, $"expected pathlen 0, saw {constraints.HasPathLengthConstraint}/{constraints.PathLengthConstraint}");

        var usage = ca.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.Critical, "keyUsage of the CA should be critical");
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
        Assert.Equal(VpsSamples.Now.UtcDateTime - TimeSpan.FromHours(1), ca.NotBefore.ToUniversalTime());
        Assert.Equal(VpsSamples.Now.UtcDateTime - TimeSpan.FromHours(1) + VpsCertificates.AuthorityLifetime, ca.NotAfter.ToUniversalTime());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Leaves_are_P256_end_entities_with_digital_signature_and_one_purpose(bool isServer)
    {
        var credential = isServer ? Made.Server : Made.Client;
        using var leaf = X509Certificate2.CreateFromPem(credential.CertificatePem);
        using var ca = X509Certificate2.CreateFromPem(Made.Authority.CertificatePem);

        Assert.Equal(isServer ? "CN=home-server" : "CN=home", leaf.Subject);
        Assert.Equal(ca.Subject, leaf.Issuer);
        AssertP256(leaf, credential.PrivateKeyPem);
        Assert.Equal("1.2.840.10045.4.3.2", leaf.SignatureAlgorithm.Value); // ecdsa-with-SHA256

        var constraints = leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.False(constraints.CertificateAuthority, "a leaf must not be a CA");
        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.Critical, "keyUsage should be critical");
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        var purposes = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value ?? string.Empty).ToArray();
        Assert.Equal([isServer ? ServerAuth : ClientAuth], purposes);

        var authorityKey = leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single();
        var caKey = ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single();
        Assert.Equal(caKey.SubjectKeyIdentifier, Convert.ToHexString(authorityKey.KeyIdentifier!.Value.Span));
        Assert.True(leaf.NotAfter <= ca.NotAfter, $"the leaf ends {leaf.NotAfter:O}, after its CA ({ca.NotAfter:O})");
    }

    [Fact]
    public void The_server_certificate_names_the_endpoint_as_a_subject_alternative_name()
    {
        using var byAddress = X509Certificate2.CreateFromPem(Made.Server.CertificatePem);
        Assert.Equal(["203.0.113.1"], byAddress.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses().Select(a => a.ToString()));

        var named = VpsCertificates.Create(VpsSamples.Spec("vpn.example.net:443"), VpsSamples.Now);
        using var byName = X509Certificate2.CreateFromPem(named.Server.CertificatePem);
        Assert.Equal(["vpn.example.net"], byName.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames().ToArray());
    }

    [Fact]
    public void Serial_numbers_are_random_positive_128_bit_numbers()
    {
        var serials = new[] { Made.Authority, Made.Server, Made.Client }
            .Select(c =>
            {
                using var certificate = X509Certificate2.CreateFromPem(c.CertificatePem);
                return certificate.SerialNumberBytes.ToArray();
            })
            .ToArray();
        Assert.All(serials, s =>
        {
            Assert.Equal(16, s.Length);
            Assert.True(s[0] is > 0 and < 0x80, $"the serial's first byte should be 1..127 (positive, minimal DER), saw {s[0]:X2}");
        });
        Assert.Equal(3, serials.Select(Convert.ToHexString).Distinct().Count());
    }

    [Fact]
    public void Private_keys_are_unencrypted_PKCS8_PEM()
    {
        foreach (var credential in new[] { Made.Authority, Made.Server, Made.Client })
        {
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", credential.PrivateKeyPem, StringComparison.Ordinal);
            Assert.EndsWith("-----END PRIVATE KEY-----\n", credential.PrivateKeyPem, StringComparison.Ordinal);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----\n", credential.CertificatePem, StringComparison.Ordinal);
        }
    }

    private static void AssertChains(X509Certificate2 leaf, X509Certificate2 root, string purpose, bool expected)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = VpsSamples.Now.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(purpose));
        var built = chain.Build(leaf);
        var status = string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}"));
        Assert.True(built == expected, $"expected {leaf.Subject} to {(expected ? string.Empty : "not ")}chain to {root.Subject} ({root.Thumbprint}); chain status: {status}");
    }

    private static void AssertP256(X509Certificate2 certificate, string privateKeyPem)
    {
        using var publicKey = certificate.GetECDsaPublicKey();
        Assert.NotNull(publicKey);
        Assert.Equal("1.2.840.10045.3.1.7", publicKey.ExportParameters(false).Curve.Oid.Value); // prime256v1
        using var privateKey = ECDsa.Create();
        privateKey.ImportFromPem(privateKeyPem);
        var data = "proof of possession"u8.ToArray();
        Assert.True(publicKey.VerifyData(data, privateKey.SignData(data, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256),
            $"the private key does not match {certificate.Subject}'s public key");
    }
}
