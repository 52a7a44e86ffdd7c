namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>Where a directive or a diagnostic comes from: the profile file and its 1-based line.</summary>
internal readonly record struct OvpnLocation(string File, int Line)
{
    public override string ToString() => $"{File}:{Line}";
}
