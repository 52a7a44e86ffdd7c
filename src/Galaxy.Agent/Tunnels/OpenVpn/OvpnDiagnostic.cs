namespace Galaxy.Agent.Tunnels.OpenVpn;

/// <summary>How bad a finding is: an error makes the profile unimportable, a warning does not.</summary>
internal enum OvpnSeverity
{
    Warning,
    Error,
}

/// <summary>One finding about a profile, printed as <c>FILE:LINE: error|warning: message</c>.</summary>
internal sealed record OvpnDiagnostic(OvpnSeverity Severity, OvpnLocation Location, string Message)
{
    public bool IsError => Severity == OvpnSeverity.Error;

    public override string ToString() =>
        $"{Location}: {(IsError ? "error" : "warning")}: {Message}";

    public static OvpnDiagnostic Error(OvpnLocation location, string message) => new(OvpnSeverity.Error, location, message);

    public static OvpnDiagnostic Warning(OvpnLocation location, string message) => new(OvpnSeverity.Warning, location, message);
}
