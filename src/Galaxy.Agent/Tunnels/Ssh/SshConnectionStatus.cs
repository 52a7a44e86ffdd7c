namespace Galaxy.Agent.Tunnels.Ssh;

/// <summary>One SSH connection as its supervisor sees it.</summary>
/// <param name="Index">Which connection of the egress.</param>
/// <param name="Up">The process lives and its SOCKS port accepts.</param>
/// <param name="State">connecting, connected, exited, host-key-mismatch, auth-failed, unreachable, …</param>
/// <param name="Reason">Why, in words (the hint, or the last line ssh printed).</param>
internal sealed record SshConnectionStatus(int Index, bool Up, string State, string? Reason);
