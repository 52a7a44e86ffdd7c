namespace Galaxy.Agent.Provisioning.OpenVpn;

/// <summary>One file of the output folder: its name, its text and its Unix mode (0600 for anything secret).</summary>
internal sealed record VpsFile(string Name, string Content, UnixFileMode Mode, string Description)
{
    public const UnixFileMode Secret = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode Public = Secret | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode Executable = Public | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public bool IsSecret => (Mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) == 0;
}
