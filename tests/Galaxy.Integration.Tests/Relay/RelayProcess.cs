using System.Globalization;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// The published <c>galaxy relay</c> running in the router of a <see cref="TproxyLab"/> (direct egress through
/// wan0 with the egress mark), optionally under a lower descriptor limit (<c>prlimit --nofile</c>, which execs,
/// so the pid is the relay's own). Reads the relay's memory, CPU time and descriptors from <c>/proc</c>.
/// </summary>
internal sealed class RelayProcess
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on Linux x86-64

    private RelayProcess(LabProcess process)
    {
        Process = process;
    }

    public LabProcess Process { get; }

    public int Pid => Process.Pid;

    public static Task<RelayProcess> StartAsync(TproxyLab lab, int? descriptorLimit = null, params string[] extra) =>
        StartWithEgressAsync(lab, "direct:wan0", descriptorLimit, extra);

    /// <summary>The published relay in the router with <paramref name="egress"/> (<c>--egress</c>'s value).</summary>
    public static async Task<RelayProcess> StartWithEgressAsync(TproxyLab lab, string egress, int? descriptorLimit = null, params string[] extra)
    {
        List<string> argv = [];
        if (descriptorLimit is { } limit)
        {
            argv.AddRange(["prlimit", string.Create(CultureInfo.InvariantCulture, $"--nofile={limit}:{limit}")]);
        }

        argv.AddRange([Artifacts.GalaxyBinary, "relay", "--tproxy-port", TproxyLab.RelayPort.ToString(CultureInfo.InvariantCulture),
            "--egress", egress, "--mark", string.Create(CultureInfo.InvariantCulture, $"0x{TproxyLab.EgressMark:x}"), "--loops", "1", .. extra]);
        var process = lab.Router.Start(argv);
        await process.WaitForOutputAsync("listening on [::1]", TimeSpan.FromSeconds(15));
        return new RelayProcess(process);
    }

    /// <summary>Resident memory in bytes (VmRSS).</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>User plus system CPU time so far.</summary>
    public TimeSpan CpuTime()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / ClockTicksPerSecond);
    }

    public int OpenDescriptors() => Directory.GetFiles($"/proc/{Pid}/fd").Length;

    /// <summary>Alive, and its state for messages.</summary>
    public string Describe() => Process.HasExited
        ? $"the relay exited with {Process.ExitCode}; {Process.Output()}"
        : $"relay pid {Pid}: {OpenDescriptors()} descriptors, RSS {ResidentBytes() / 1024} KiB";
}
