namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>
/// What the supervisor answers OpenVPN's password queries with. Held in memory only: it goes over the
/// management socket, never argv, the environment or a file, and <see cref="ToString"/> hides it.
/// </summary>
internal sealed record OpenVpnCredentials
{
    public OpenVpnCredentials(string? userName, string? password, string? keyPassphrase = null)
    {
        foreach (var (value, name) in new[] { (userName, nameof(userName)), (password, nameof(password)), (keyPassphrase, nameof(keyPassphrase)) })
        {
            if (value is not null && !ManagementCommands.CanSend(value))
            {
                throw new ArgumentException($"the {name} holds a line break or NUL, which OpenVPN's management interface cannot carry", name);
            }
        }

        if ((userName is null) != (password is null))
        {
            throw new ArgumentException("a user name and a password go together: give both or neither", nameof(password));
        }

        UserName = userName;
        Password = password;
        KeyPassphrase = keyPassphrase;
    }

    /// <summary>For <c>auth-user-pass</c>.</summary>
    public string? UserName { get; }

    /// <summary>For <c>auth-user-pass</c>.</summary>
    public string? Password { get; }

    /// <summary>For <c>askpass</c> (an encrypted private key).</summary>
    public string? KeyPassphrase { get; }

    public override string ToString() =>
        $"OpenVpnCredentials {{ UserName = {(UserName is null ? "none" : "set")}, Password = {(Password is null ? "none" : "***")}, KeyPassphrase = {(KeyPassphrase is null ? "none" : "***")} }}";
}
