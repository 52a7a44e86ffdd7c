namespace Galaxy.Agent.Tunnels.Ssh;

/// <summary>What a known ssh failure line means, in the agent's words.</summary>
/// <param name="State">The state word reported for the egress (<c>host-key-mismatch</c>, <c>auth-failed</c>, …).</param>
/// <param name="Hint">What the operator should check.</param>
internal sealed record SshHint(string State, string Hint);

/// <summary>
/// Turns ssh's own error lines into a state and a hint (as gluetun does for OpenVPN): the pinned host key
/// did not match, the key was refused, the server is unreachable. Pure.
/// </summary>
internal static class SshLogHints
{
    public static SshHint? Classify(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.Contains("Host key verification failed", StringComparison.Ordinal)
            || line.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", StringComparison.Ordinal)
            || line.Contains("No ED25519 host key is known", StringComparison.Ordinal)
            || line.Contains("host key is known for", StringComparison.Ordinal))
        {
            return new SshHint("host-key-mismatch", "host key verification failed: the server's key is not the one in the known-hosts pin file");
        }

        if (line.Contains("Permission denied", StringComparison.Ordinal))
        {
            return new SshHint("auth-failed", "the server refused the identity key (Permission denied): is the public key in the account's authorized_keys?");
        }

        if (line.Contains("UNPROTECTED PRIVATE KEY FILE", StringComparison.Ordinal) || line.Contains("Load key", StringComparison.Ordinal))
        {
            return new SshHint("config-error", "ssh cannot use the identity key file (permissions must be 0600, the format OpenSSH's)");
        }

        if (line.Contains("Connection refused", StringComparison.Ordinal))
        {
            return new SshHint("unreachable", "the server refused the TCP connection: is sshd running on the endpoint's port?");
        }

        if (line.Contains("timed out", StringComparison.OrdinalIgnoreCase) || line.Contains("No route to host", StringComparison.Ordinal)
            || line.Contains("Network is unreachable", StringComparison.Ordinal))
        {
            return new SshHint("unreachable", "the server did not answer (the way there is down or blocked)");
        }

        if (line.Contains("forwarding failed", StringComparison.OrdinalIgnoreCase) || line.Contains("cannot listen to port", StringComparison.OrdinalIgnoreCase)
            || line.Contains("Could not request local forwarding", StringComparison.Ordinal))
        {
            return new SshHint("config-error", "the local SOCKS port could not be opened (another program holds it?)");
        }

        if (line.Contains("Timeout, server", StringComparison.Ordinal))
        {
            return new SshHint("silent", "the server stopped answering keepalives");
        }

        return null;
    }
}
