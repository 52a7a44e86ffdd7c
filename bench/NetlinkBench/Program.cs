using System.Diagnostics;
using System.Globalization;
using Galaxy.Netlink.Core;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Bench.Netlink;

/// <summary>
/// <c>NetlinkBench --netns PATH --workload rules|set --count N --reps R [--warmup W]</c>: in the namespace at PATH,
/// W unmeasured then R measured repetitions of one workload; each prints "BUILD_US ENCODE_US COMMIT_US" on stdout,
/// where BUILD is making the NfBatch (rule builder, interval split), ENCODE is encoding it alone into a writer
/// (what Commit does before its send, measured apart to show the split) and COMMIT is <see cref="NfTablesClient.Commit"/>
/// (encode, one send(), the kernel's ACK). The table is destroyed between repetitions (not measured) and the
/// last one is left in place for the script to compare with nft's.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        string? netns = null;
        string? workload = null;
        var count = 0;
        var reps = 5;
        var warmup = 2;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--netns": netns = args[i + 1]; break;
                case "--workload": workload = args[i + 1]; break;
                case "--count": count = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--reps": reps = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: return Usage($"unknown option {args[i]}");
            }
        }

        if (netns is null || workload is not ("rules" or "set") || count <= 0 || reps <= 0 || warmup < 0)
        {
            return Usage("need --netns PATH --workload rules|set --count N (> 0) --reps R (> 0)");
        }

        Func<int, NfBatch> build = workload == "rules" ? Workloads.Rules : Workloads.Set;
        using var client = NfTablesClient.OpenIn(netns);
        var destroy = new NfBatch().DestroyTable(NfFamily.Inet, Workloads.Table);
        using var writer = new NetlinkWriter(64 * 1024);
        for (var rep = -warmup; rep < reps; rep++)
        {
            client.Commit(destroy);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();

            var start = Stopwatch.GetTimestamp();
            var batch = build(count);
            var built = Stopwatch.GetTimestamp();
            writer.Reset();
            batch.Encode(writer, 1);
            var encoded = Stopwatch.GetTimestamp();
            client.Commit(batch);
            var committed = Stopwatch.GetTimestamp();

            if (rep >= 0)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Stopwatch.GetElapsedTime(start, built).TotalMicroseconds:0} {Stopwatch.GetElapsedTime(built, encoded).TotalMicroseconds:0} {Stopwatch.GetElapsedTime(encoded, committed).TotalMicroseconds:0}"));
            }
        }

        return 0;
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"NetlinkBench: {problem}");
        return 2;
    }
}
