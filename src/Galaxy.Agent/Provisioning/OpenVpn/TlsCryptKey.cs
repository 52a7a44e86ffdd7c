using System.Security.Cryptography;
using System.Text;

namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>
/// An OpenVPN static key for <c>tls-crypt</c>: 256 random bytes (two 128-byte halves: cipher and HMAC keys
/// for each direction) written as OpenVPN's "static key V1" — 16 lines of 32 lowercase hex digits between
/// <c>-----BEGIN OpenVPN Static key V1-----</c> and <c>-----END OpenVPN Static key V1-----</c>.
/// </summary>
internal static class TlsCryptKey
{
    public const int KeyBytes = 256;
    public const string BeginLine = "-----BEGIN OpenVPN Static key V1-----";
    public const string EndLine = "-----END OpenVPN Static key V1-----";
    private const int BytesPerLine = 16;

    /// <summary>A new random key in the file format.</summary>
    public static string Generate() => Format(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>Writes <paramref name="key"/> (exactly <see cref="KeyBytes"/> bytes) in the file format.</summary>
    public static string Format(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyBytes)
        {
            throw new ArgumentException($"an OpenVPN static key is {KeyBytes} bytes, not {key.Length}", nameof(key));
        }

        var text = new StringBuilder();
        text.Append("#\n# 2048 bit OpenVPN static key (tls-crypt), made by galaxy vps openvpn\n#\n");
        text.Append(BeginLine).Append('\n');
        for (var offset = 0; offset < key.Length; offset += BytesPerLine)
        {
            text.Append(Convert.ToHexStringLower(key.Slice(offset, BytesPerLine))).Append('\n');
        }

        return text.Append(EndLine).Append('\n').ToString();
    }
}
