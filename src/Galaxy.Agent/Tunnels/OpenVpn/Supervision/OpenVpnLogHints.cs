namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>
/// What OpenVPN's log lines of one attempt say about a failure, turned into a reason a person can act on
/// (the way gluetun gives hints for known failures). Only words go into reasons: no decision rests on log
/// text a server could influence, except that a reconnect reason names what the log said.
/// </summary>
internal sealed class OpenVpnLogHints
{
    private bool _serverVerified;
    private bool _controlChannelUp;
    private string? _alert;
    private string? _verifyError;
    private string? _tlsError;

    /// <summary>The reason a server gave with AUTH_FAILED (<c>AUTH_FAILED,reason</c>), if any.</summary>
    public string? AuthFailedReason { get; private set; }

    /// <summary>Forgets what the previous attempt logged.</summary>
    public void NewAttempt()
    {
        _serverVerified = false;
        _controlChannelUp = false;
        _alert = null;
        _verifyError = null;
        _tlsError = null;
    }

    public void Observe(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("VERIFY OK: depth=0", StringComparison.Ordinal))
        {
            _serverVerified = true;
        }
        else if (text.StartsWith("Control Channel:", StringComparison.Ordinal))
        {
            _controlChannelUp = true;
        }
        else if (text.StartsWith("VERIFY ERROR:", StringComparison.Ordinal) || text.StartsWith("VERIFY EKU ERROR", StringComparison.Ordinal) || text.StartsWith("VERIFY KU ERROR", StringComparison.Ordinal))
        {
            _verifyError ??= text;
        }
        else if (text.Contains("SSL alert number", StringComparison.Ordinal))
        {
            // OpenSSL: error:0A000418:SSL routines::tlsv1 alert unknown ca:SSL alert number 48
            var routines = text.IndexOf("routines::", StringComparison.Ordinal);
            _alert ??= routines >= 0 ? text[(routines + "routines::".Length)..] : text;
        }
        else if (text.StartsWith("TLS Error:", StringComparison.Ordinal) && _tlsError is null)
        {
            _tlsError = text["TLS Error:".Length..].Trim();
        }
        else if (text.StartsWith("AUTH: Received control message: AUTH_FAILED", StringComparison.Ordinal))
        {
            var comma = text.IndexOf(',', StringComparison.Ordinal);
            AuthFailedReason = comma > 0 ? text[(comma + 1)..].Trim() : null;
        }
    }

    /// <summary>The reason for a restart OpenVPN announced with <c>RECONNECTING,WHY</c>.</summary>
    public string ReconnectReason(string why)
    {
        if (why != "tls-error")
        {
            return why;
        }

        if (_verifyError is not null)
        {
            return $"tls-error: this client refused the server's certificate ({_verifyError})";
        }

        if (_alert is not null)
        {
            return $"tls-error: the server ended the TLS handshake ({_alert}); it may refuse this client's certificate";
        }

        if (_serverVerified && !_controlChannelUp)
        {
            return "tls-error: the TLS handshake failed after the server's certificate was verified; the server most likely refused this client's certificate"
                + (_tlsError is null ? string.Empty : $" ({_tlsError})");
        }

        return _tlsError is null ? "tls-error" : $"tls-error: {_tlsError}";
    }

    /// <summary>True for a fatal error OpenVPN gives for its configuration, which retrying cannot fix.</summary>
    public static bool IsConfigurationError(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.StartsWith("Options error:", StringComparison.Ordinal)
            || text.Contains("Cannot load", StringComparison.Ordinal)
            || text.Contains("Cannot parse", StringComparison.Ordinal);
    }
}
