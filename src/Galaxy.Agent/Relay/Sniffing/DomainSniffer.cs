namespace Galaxy.Agent.Relay.Sniffing;

/// <summary>The name a client asks for in its first bytes: a TLS ClientHello's SNI, else an HTTP/1.x Host header.</summary>
internal static class DomainSniffer
{
    /// <summary>
    /// Found with the normalised name; NeedMore while the bytes are a valid beginning of either; NoName or
    /// Unrecognized when waiting longer cannot help.
    /// </summary>
    public static SniffOutcome Sniff(ReadOnlySpan<byte> data, out string? domain)
    {
        var tls = TlsClientHello.TryReadServerName(data, out domain);
        return tls == SniffOutcome.Unrecognized ? HttpRequestHost.TryRead(data, out domain) : tls;
    }
}
