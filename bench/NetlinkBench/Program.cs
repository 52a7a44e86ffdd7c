using System.Diagnostics;
using System.Globalization;
using Galaxy.Netlink.Core;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Bench.Netlink;

/// <summary>
/// <c>NetlinkBench --netns PATH [--settle-ms MS]</c>: the Galaxy.Netlink side of bench/netlink.sh. It stays up
/// and, for each line <c>WORKLOAD COUNT</c> (<c>rules 1000</c>, <c>set 50000</c>) on stdin, does one repetition in
/// the namespace at PATH and answers <c>BUILD_US ENCODE_US COMMIT_US</c> on stdout, so the script can interleave
/// it with nft's repetitions and both see the same machine load:
/// destroy the table (not measured), settle MS milliseconds (1000 by default: the kernel releases the old
/// table in a work queue after the commit), a full GC, then BUILD = making the NfBatch (rule builder, interval
/// split), ENCODE = encoding it alone into a writer (what Commit does before its send, measured apart to show
/// the split), COMMIT = <see cref="NfTablesClient.Commit"/> (encode, one send(), the kernel's ACK). The table of
/// the last repetition stays, for the script to compare with nft's.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        string? netns = null;
        var settle = 1000;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--netns": netns = args[i + 1]; break;
                case "--settle-ms": settle = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: return Usage($"unknown option {args[i]}");
            }
        }

        if (netns is null || settle < 0)
        {
            return Usage("need --netns PATH [--settle-ms MS (>= 0)]");
        }

        using var client = NfTablesClient.OpenIn(netns);
        using var writer = new NetlinkWriter(64 * 1024);
        var destroy = new NfBatch().DestroyTable(NfFamily.Inet, Workloads.Table);
        while (Console.In.ReadLine() is { } line)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 2 || words[0] is not ("rules" or "set") || !int.TryParse(words[1], CultureInfo.InvariantCulture, out var count) || count <= 0)
            {
                return Usage($"expected a line 'rules|set COUNT', read '{line}'");
            }

            Func<int, NfBatch> build = words[0] == "rules" ? Workloads.Rules : Workloads.Set;
            client.Commit(destroy);
            Thread.Sleep(settle);
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

            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Stopwatch.GetElapsedTime(start, built).TotalMicroseconds:0} {Stopwatch.GetElapsedTime(built, encoded).TotalMicroseconds:0} {Stopwatch.GetElapsedTime(encoded, committed).TotalMicroseconds:0}"));
        }

        return 0;
    }

    private static int Usage(string problem)
    {
        Console.Error.WriteLine($"NetlinkBench: {problem}");
        return 2;
    }
}
