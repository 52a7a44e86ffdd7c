using System.Globalization;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>
/// Removes what crashed test runs left: namespaces named <c>glx-PID-START-…</c> whose owner (that pid
/// with that start time) no longer runs. Namespaces of live runs — other test processes included —
/// are never touched.
/// </summary>
public static class LabReaper
{
    private const string NetnsDirectory = "/run/netns";
    private static readonly Lazy<IReadOnlyList<string>> Once = new(() => ReapLeftovers());

    /// <summary>Reaps once per test process; later calls return what the first one removed.</summary>
    public static IReadOnlyList<string> ReapLeftoversOnce() => Once.Value;

    /// <summary>Removes every lab namespace whose owner is gone; returns their names.</summary>
    public static IReadOnlyList<string> ReapLeftovers()
    {
        var reaped = new List<string>();
        foreach (var name in ListLabNamespaces())
        {
            if (TryParseOwner(name, out var owner) && !owner.IsAlive())
            {
                var problem = RemoveNamespaceAsync(name).GetAwaiter().GetResult();
                if (problem is not null)
                {
                    throw new LabException($"reaping leftover namespace {name}: {problem}");
                }

                reaped.Add(name);
            }
        }

        return reaped;
    }

    /// <summary>The lab namespaces that exist now (from any run).</summary>
    public static IReadOnlyList<string> ListLabNamespaces() =>
        Directory.Exists(NetnsDirectory)
            ? Directory.GetFiles(NetnsDirectory, Lab.NamespacePrefix + "*").Select(Path.GetFileName).OfType<string>().ToArray()
            : [];

    /// <summary>Reads the owner out of <c>glx-PID-START-…</c>.</summary>
    public static bool TryParseOwner(string namespaceName, out LabOwner owner)
    {
        owner = default;
        if (!namespaceName.StartsWith(Lab.NamespacePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = namespaceName[Lab.NamespacePrefix.Length..].Split('-');
        if (parts.Length < 3 ||
            !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ||
            !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return false;
        }

        owner = new LabOwner(pid, start);
        return true;
    }

    /// <summary>
    /// Kills every process inside a namespace, waits until they are gone, then deletes it.
    /// Returns null on success, else what went wrong.
    /// </summary>
    internal static async Task<string?> RemoveNamespaceAsync(string name)
    {
        if (!File.Exists(Path.Combine(NetnsDirectory, name)))
        {
            return null;
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var pids = await LabCommand.RunAsync(["ip", "netns", "pids", name]).ConfigureAwait(false);
            var alive = pids.StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => int.Parse(p, CultureInfo.InvariantCulture))
                .Where(p => !ProcStat.IsGone(p))
                .ToArray();
            if (alive.Length == 0)
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                return $"processes {string.Join(", ", alive)} in {name} survived SIGKILL";
            }

            foreach (var pid in alive)
            {
                LabNative.Signal(pid, LabNative.SigKill);
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        // Gone meanwhile is gone: a test of the reaper and the first lab of the process may reap the same leftover at once.
        var delete = await LabCommand.RunAsync(["ip", "netns", "delete", name]).ConfigureAwait(false);
        return delete.Succeeded || !File.Exists(Path.Combine(NetnsDirectory, name)) ? null : delete.Describe();
    }
}
