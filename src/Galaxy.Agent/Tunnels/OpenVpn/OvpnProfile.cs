using System.Collections.Immutable;

namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>
/// An imported profile that passed the policy: its endpoints, and the directives Galaxy keeps — file
/// references already replaced by inline blocks, so writing the profile out needs no file access.
/// Only <see cref="OvpnImporter"/> makes one, and only when the import had no error.
/// </summary>
internal sealed record OvpnProfile
{
    public required string SourceFile { get; init; }

    /// <summary>Endpoints in profile order (connection blocks when the profile has them, else top-level remotes).</summary>
    public required ImmutableArray<OvpnRemote> Remotes { get; init; }

    /// <summary>Kept top-level directives in file order; inline material is in <see cref="OvpnDirective.Inline"/>.</summary>
    public required ImmutableArray<OvpnDirective> Directives { get; init; }

    /// <summary>The profile used <c>&lt;connection&gt;</c> blocks; Galaxy then writes one block per pinned remote.</summary>
    public bool UsesConnectionBlocks { get; init; }

    /// <summary><c>auth-user-pass</c>: a user name and password are handed over the management interface.</summary>
    public bool NeedsCredentials { get; init; }

    /// <summary><c>askpass</c>: the private key's passphrase is handed over the management interface.</summary>
    public bool NeedsKeyPassphrase { get; init; }
}

/// <summary>
/// The verdict on one <c>.ovpn</c>: every error and warning (sorted by line), the remotes found, and
/// the profile when there was no error.
/// </summary>
internal sealed record OvpnImportResult(OvpnProfile? Profile, ImmutableArray<OvpnRemote> Remotes, ImmutableArray<OvpnDiagnostic> Diagnostics)
{
    public bool IsImportable => Profile is not null;

    public IEnumerable<OvpnDiagnostic> Errors => Diagnostics.Where(d => d.IsError);

    public IEnumerable<OvpnDiagnostic> Warnings => Diagnostics.Where(d => !d.IsError);
}
