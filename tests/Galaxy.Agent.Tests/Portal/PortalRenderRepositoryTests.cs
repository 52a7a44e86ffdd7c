using Galaxy.Agent.Portal;

namespace Galaxy.Agent.Tests.Portal;

public sealed class PortalRenderRepositoryTests : IDisposable
{
    private readonly PortalFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void The_first_render_creates_the_repository_with_one_commit_and_a_clean_tree()
    {
        var outcome = _fixture.Render();

        Assert.True(outcome.NewRendering, "expected the first render to make a rendering commit");
        Assert.Equal(MergeOutcome.FastForward, outcome.Merge);
        Assert.Equal("1", _fixture.Git("rev-list", "--count", "HEAD"));
        Assert.Equal(outcome.RenderCommit, _fixture.Git("rev-parse", RenderRepository.RenderBranch));
        Assert.Equal("", _fixture.Git("status", "--porcelain"));
        Assert.True(File.Exists(Path.Combine(_fixture.Output, "galaxy2", "domain.xml")), "expected galaxy2/domain.xml in the portal folder");
    }

    [Fact]
    public void Rendering_twice_makes_no_new_commit()
    {
        _fixture.Render();
        var head = _fixture.Git("rev-parse", "HEAD");

        var second = _fixture.Render();

        Assert.False(second.NewRendering, "expected the second render of the same settings to find nothing new");
        Assert.Equal(MergeOutcome.UpToDate, second.Merge);
        Assert.Equal(head, _fixture.Git("rev-parse", "HEAD"));
        Assert.Equal("", _fixture.Git("status", "--porcelain"));
    }

    [Fact]
    public void A_local_commit_in_an_instance_folder_is_kept_when_rendering_again_and_when_the_settings_change()
    {
        _fixture.Render();
        var toml = Path.Combine(_fixture.Output, "galaxy1", "base-files", "etc", "galaxy", "galaxy.toml");
        File.AppendAllText(toml, "\n[relay]\nmax-connections = 4000\n");
        var extra = Path.Combine(_fixture.Output, "galaxy1", "base-files", "etc", "local.d", "site.start");
        Directory.CreateDirectory(Path.GetDirectoryName(extra)!);
        File.WriteAllText(extra, "echo site\n");
        _fixture.Git("add", "-A");
        _fixture.Git("commit", "-q", "-m", "galaxy1: fewer connections, a site script");
        var local = _fixture.Git("rev-parse", "HEAD");

        var same = _fixture.Render();
        Assert.Equal(MergeOutcome.UpToDate, same.Merge);
        Assert.Equal(local, _fixture.Git("rev-parse", "HEAD"));

        // The settings change what every router gets: the rendering changes, the local commit stays.
        var changed = _fixture.Render(s => s.Replace("bootstrap-dns = [\"192.0.2.53\"]", "bootstrap-dns = [\"192.0.2.54\"]", StringComparison.Ordinal));
        Assert.True(changed.NewRendering, "expected a new rendering after the settings changed");
        Assert.Equal(MergeOutcome.Merged, changed.Merge);
        var merged = File.ReadAllText(toml);
        Assert.Contains("max-connections = 4000", merged, StringComparison.Ordinal);
        Assert.Contains("192.0.2.54", merged, StringComparison.Ordinal);
        Assert.DoesNotContain("192.0.2.53", merged, StringComparison.Ordinal);
        Assert.True(File.Exists(extra), $"expected the local file {extra} to be kept");
        Assert.Equal("", _fixture.Git("merge-base", "--is-ancestor", local, "HEAD"));
        Assert.Equal("", _fixture.Git("status", "--porcelain"));

        // And once more: nothing new.
        var head = _fixture.Git("rev-parse", "HEAD");
        var again = _fixture.Render();
        Assert.Equal(MergeOutcome.UpToDate, again.Merge);
        Assert.Equal(head, _fixture.Git("rev-parse", "HEAD"));
    }

    [Fact]
    public void A_local_edit_that_conflicts_with_the_new_rendering_is_reported_and_nothing_changes()
    {
        _fixture.Render();
        var toml = Path.Combine(_fixture.Output, "galaxy0", "base-files", "etc", "galaxy", "galaxy.toml");
        File.WriteAllText(toml, File.ReadAllText(toml).Replace("192.0.2.53", "192.0.2.99", StringComparison.Ordinal));
        _fixture.Git("commit", "-q", "-am", "galaxy0: my own bootstrap resolver");
        var head = _fixture.Git("rev-parse", "HEAD");

        var e = Assert.Throws<PortalException>(() => _fixture.Render(s => s.Replace("192.0.2.53", "192.0.2.54", StringComparison.Ordinal)));

        Assert.Contains("galaxy0/base-files/etc/galaxy/galaxy.toml", e.Message, StringComparison.Ordinal);
        Assert.Equal(head, _fixture.Git("rev-parse", "HEAD"));
        Assert.Equal("", _fixture.Git("status", "--porcelain"));
        Assert.Contains("192.0.2.99", File.ReadAllText(toml), StringComparison.Ordinal);
    }

    [Fact]
    public void Uncommitted_changes_stop_a_render_before_anything_is_written()
    {
        _fixture.Render();
        var domain = Path.Combine(_fixture.Output, "galaxy0", "domain.xml");
        File.AppendAllText(domain, "<!-- edited -->\n");

        var e = Assert.Throws<PortalException>(() => _fixture.Render(s => s.Replace("memory = 256", "memory = 384", StringComparison.Ordinal)));

        Assert.Contains("uncommitted changes", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("<!-- edited -->\n", File.ReadAllText(domain), StringComparison.Ordinal);
    }

    [Fact]
    public void Fewer_routers_remove_the_folders_of_the_ones_that_are_gone()
    {
        _fixture.Render();
        _fixture.Render(s => s.Replace("count = 3", "count = 2", StringComparison.Ordinal));

        Assert.False(Directory.Exists(Path.Combine(_fixture.Output, "galaxy2")), "expected galaxy2/ to be removed with the router");
        Assert.True(Directory.Exists(Path.Combine(_fixture.Output, "galaxy1")), "expected galaxy1/ to stay");
    }
}
