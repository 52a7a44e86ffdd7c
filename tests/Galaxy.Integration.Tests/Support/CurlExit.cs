namespace Galaxy.Integration.Tests.Support;

/// <summary>
/// What curl's exit code says about a connection the relay refused. A reset reaches curl at whatever step it
/// had got to, which depends on timing: before the connect finished (7), while it sent the request (55), or while
/// it waited for the answer (56).
/// </summary>
internal static class CurlExit
{
    /// <summary>The connection was reset (7, 55 or 56).</summary>
    public static bool Reset(int code) => code is 7 or 55 or 56;

    /// <summary>Reset, or closed with no answer at all (52): either way the client got nothing.</summary>
    public static bool ResetOrClosed(int code) => Reset(code) || code == 52;
}
