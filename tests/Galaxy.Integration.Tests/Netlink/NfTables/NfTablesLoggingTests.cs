using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink;
using Galaxy.Netlink.NfTables;
using Microsoft.Extensions.Logging;

namespace Galaxy.Integration.Tests.Netlink.NfTables;

/// <summary>Every committed change is logged at Debug as the nft command that would do the same.</summary>
public sealed class NfTablesLoggingTests
{
    [Fact]
    public async Task A_commit_logs_each_change_as_its_nft_command_and_a_refusal_names_it()
    {
        await using var lab = Lab.Create();
        var router = await lab.AddHostAsync("router");
        var logger = new ListLogger();
        using var client = NfTablesClient.OpenIn(router.NamespacePath, logger);

        client.Commit(NfTablesFixture.RulesetBatch());

        string[] expected =
        [
            "kernel change: add table inet galaxy",
            "kernel change: add chain inet galaxy prerouting { type filter hook prerouting priority -150; policy accept; }",
            "kernel change: add chain inet galaxy forward { type filter hook forward priority 0; policy drop; }",
            "kernel change: add set inet galaxy bypass4 { type ipv4_addr; flags interval; }",
            "kernel change: add element inet galaxy bypass4 { 10.0.0.0/8, 192.168.0.0/16 }",
            "kernel change: add rule inet galaxy prerouting meta l4proto tcp socket transparent 1 meta mark set 0x1 accept",
            "kernel change: add rule inet galaxy prerouting iifname \"lan0\" meta l4proto { tcp, udp } ip daddr != @bypass4 tproxy ip to 127.0.0.1:15001 meta mark set 0x1 accept",
        ];
        Assert.True(logger.Lines.SequenceEqual(expected), $"expected the log\n{string.Join('\n', expected)}\nsaw\n{string.Join('\n', logger.Lines)}");

        // The logged commands are real nft: replaying them by hand in a fresh table gives the same ruleset.
        var replay = await lab.AddHostAsync("replay");
        var script = string.Join('\n', logger.Lines.Select(l => l["kernel change: ".Length..])) + "\n";
        await replay.RunCheckedAsync(["nft", "-f", "-"], stdin: script);
        var a = await router.RunCheckedAsync("nft", "list", "ruleset");
        var b = await replay.RunCheckedAsync("nft", "list", "ruleset");
        Assert.True(a.StandardOutput == b.StandardOutput, $"expected the replayed ruleset to equal ours\nours:\n{a.StandardOutput}\nreplayed:\n{b.StandardOutput}");

        logger.Lines.Clear();
        Assert.Throws<NetlinkException>(() => client.Commit(new NfBatch().DeleteTable(NfFamily.Inet, "missing")));
        Assert.True(logger.Lines.SequenceEqual(["kernel change refused: delete table inet missing: ENOENT"]),
            $"expected one refusal line, saw\n{string.Join('\n', logger.Lines)}");
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
