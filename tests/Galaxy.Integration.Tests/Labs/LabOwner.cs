using System.Globalization;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>
/// A process identified beyond its pid: (pid, start time in clock ticks since boot), so that a reused
/// pid is never mistaken for the process that created a namespace.
/// </summary>
public readonly record struct LabOwner(int Pid, long StartTime)
{
    public static LabOwner Current { get; } = Of(Environment.ProcessId)
        ?? throw new LabException("cannot read this process's start time from /proc/self/stat");

    /// <summary>The owner record of a live process, or null when no such process runs.</summary>
    public static LabOwner? Of(int pid)
    {
        var stat = ProcStat.Read(pid);
        return stat is null ? null : new LabOwner(pid, stat.Value.StartTime);
    }

    /// <summary>True while this very process (same pid, same start time) runs and is not a zombie.</summary>
    public bool IsAlive()
    {
        var stat = ProcStat.Read(Pid);
        return stat is { State: not 'Z' and not 'X' } s && s.StartTime == StartTime;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Pid}-{StartTime}");
}

/// <summary>The two fields of <c>/proc/PID/stat</c> the lab uses.</summary>
internal readonly record struct ProcStat(char State, long StartTime)
{
    public static ProcStat? Read(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) S ppid …": comm may hold spaces and parentheses, so split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state); starttime is field 22 → fields[19].
        return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new ProcStat(fields[0][0], start)
            : null;
    }

    /// <summary>True when no process with this pid runs any more (gone, or a zombie waiting to be reaped).</summary>
    public static bool IsGone(int pid) => Read(pid) is not { State: not 'Z' and not 'X' };
}
