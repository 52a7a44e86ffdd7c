namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>What <see cref="OpenVpnSession"/> asks its supervisor to do; the supervisor does the I/O.</summary>
internal abstract record SupervisorAction;

/// <summary>Write one command line to the management socket (<paramref name="Secret"/>: never log its text).</summary>
internal sealed record SendCommand(string Command, bool Secret = false) : SupervisorAction;

/// <summary>After <paramref name="Delay"/>, call <see cref="OpenVpnSession.HoldTimerFired"/> with <paramref name="Token"/>.</summary>
internal sealed record ScheduleHoldRelease(TimeSpan Delay, int Token) : SupervisorAction;

/// <summary>After <paramref name="Delay"/>, start a new OpenVPN process (the last one exited).</summary>
internal sealed record ScheduleProcessStart(TimeSpan Delay, int Token) : SupervisorAction;

/// <summary>Make OpenVPN exit and do not restart it: the failure needs the owner.</summary>
internal sealed record TerminateProcess : SupervisorAction;
