namespace Galaxy.Integration.Tests.Labs;

/// <summary>Whatever a test builds is gone after it, and crashed runs are cleaned up by the next one.</summary>
public sealed class LabTeardownTests
{
    [Fact]
    public async Task Teardown_leaves_no_namespace_link_or_process()
    {
        LabPrerequisites.Require();
        string prefix;
        int serverPid;
        int strayPid;
        await using (var lab = Lab.Create())
        {
            prefix = lab.Prefix;
            var a = await lab.AddHostAsync("a");
            var b = await lab.AddHostAsync("b");
            await lab.ConnectAsync(a, "glxveth0", b, "glxveth1");
            serverPid = a.Start("sleep", "600").Pid;

            // A process the lab did not start itself (forked off and left running) must die too.
            var stray = await b.RunCheckedAsync("sh", "-c", "sleep 600 >/dev/null 2>&1 & echo $!");
            strayPid = int.Parse(stray.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);

            Assert.Contains("glxveth1", await b.LinkNamesAsync());
            Assert.False(ProcStat.IsGone(serverPid), "the process started in the namespace should run before teardown");
            Assert.False(ProcStat.IsGone(strayPid), "the forked process should run before teardown");
        }

        Assert.DoesNotContain(LabReaper.ListLabNamespaces(), name => name.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(ProcStat.IsGone(serverPid), $"pid {serverPid} (started by the lab) survived teardown");
        Assert.True(ProcStat.IsGone(strayPid), $"pid {strayPid} (forked inside the namespace) survived teardown");
        var rootLinks = await LabCommand.RunCheckedAsync(["ip", "-o", "link", "show"], cancellationToken: TestContext.Current.CancellationToken);
        Assert.DoesNotContain("glxveth", rootLinks.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Teardown_runs_when_the_test_body_fails()
    {
        LabPrerequisites.Require();
        string? prefix = null;
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var lab = Lab.Create();
            prefix = lab.Prefix;
            var host = await lab.AddHostAsync("doomed");
            host.Start("sleep", "600");
            throw new InvalidOperationException("the test body failed");
        });

        Assert.Equal("the test body failed", failure.Message);
        Assert.NotNull(prefix);
        Assert.DoesNotContain(LabReaper.ListLabNamespaces(), name => name.StartsWith(prefix, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reaper_removes_leftovers_of_a_dead_owner_and_keeps_live_ones()
    {
        LabPrerequisites.Require();

        // A dead owner: a process that ran and exited, as a crashed test run would have.
        var dead = await StartedAndExitedOwnerAsync();
        var leftover = $"{Lab.NamespacePrefix}{dead}-1-crashed";
        var live = $"{Lab.NamespacePrefix}{LabOwner.Current}-reaper-live";
        try
        {
            await LabCommand.RunCheckedAsync(["ip", "netns", "add", leftover], cancellationToken: TestContext.Current.CancellationToken);
            await LabCommand.RunCheckedAsync(["ip", "netns", "add", live], cancellationToken: TestContext.Current.CancellationToken);
            var orphan = await LabCommand.RunCheckedAsync(["ip", "netns", "exec", leftover, "sh", "-c", "sleep 600 >/dev/null 2>&1 & echo $!"], cancellationToken: TestContext.Current.CancellationToken);
            var orphanPid = int.Parse(orphan.StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);

            var reaped = LabReaper.ReapLeftovers();

            Assert.Contains(leftover, reaped);
            Assert.DoesNotContain(leftover, LabReaper.ListLabNamespaces());
            Assert.True(ProcStat.IsGone(orphanPid), $"pid {orphanPid} inside the leftover namespace survived the reaper");
            Assert.Contains(live, LabReaper.ListLabNamespaces());
            Assert.DoesNotContain(live, reaped);
        }
        finally
        {
            await LabReaper.RemoveNamespaceAsync(leftover);
            await LabReaper.RemoveNamespaceAsync(live);
        }
    }

    private static async Task<LabOwner> StartedAndExitedOwnerAsync()
    {
        // A process that runs until we have read its identity, then is killed, as a crashed run would be.
        await using var process = LabProcess.Start(["sleep", "600"]);
        var owner = LabOwner.Of(process.Pid);
        Assert.NotNull(owner);
        await process.StopAsync(LabNative.SigKill);
        Assert.False(owner.Value.IsAlive());
        return owner.Value;
    }
}
