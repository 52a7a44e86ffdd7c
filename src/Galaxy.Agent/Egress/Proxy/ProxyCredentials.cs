namespace Galaxy.Agent.Egress.Proxy;

/// <summary>Username and password for an upstream proxy. Never printed: <see cref="ToString"/> hides the password.</summary>
internal sealed record ProxyCredentials(string Username, string Password)
{
    public override string ToString() => $"{Username}:***";
}
