namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>A certificate and its private key, both PEM (the key unencrypted PKCS#8, as OpenVPN reads it).</summary>
internal sealed record PemCredential(string CertificatePem, string PrivateKeyPem);
