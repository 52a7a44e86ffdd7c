namespace Galaxy.Agent.Cli;

/// <summary>
/// Process exit codes of the <c>galaxy</c> command, stable so that scripts and service managers can
/// branch on them. Later commands add their own (agent not running, access denied, …) here.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command ran and failed; stderr says why.</summary>
    public const int Failure = 1;

    /// <summary>The command line could not be understood (unknown command, bad option, missing value).</summary>
    public const int Usage = 2;

    /// <summary>The input (an OpenVPN profile, a configuration) was read and refused; stdout lists every reason.</summary>
    public const int ConfigError = 3;

    /// <summary>A control command found no agent: no control socket, or nothing listening on it.</summary>
    public const int AgentNotRunning = 4;

    /// <summary>A control command was refused: the socket's permissions or the agent (root or the galaxy group only).</summary>
    public const int AccessDenied = 5;
}
