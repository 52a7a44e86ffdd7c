namespace Galaxy.Agent.Portal;

/// <summary>What one render did to the portal folder.</summary>
/// <param name="RenderCommit">The commit on <see cref="RenderRepository.RenderBranch"/> holding this rendering.</param>
/// <param name="NewRendering">Whether the rendering differed from the previous one (a render commit was made).</param>
/// <param name="Merge">What happened to the checked-out branch.</param>
internal sealed record RenderOutcome(string RenderCommit, bool NewRendering, MergeOutcome Merge);

internal enum MergeOutcome
{
    /// <summary>The branch already contains the rendering: nothing changed, no commit.</summary>
    UpToDate,

    /// <summary>The folder had no commits, or none of its own since the last render: moved to the rendering.</summary>
    FastForward,

    /// <summary>Local commits and a new rendering: a merge commit joins them.</summary>
    Merged,
}

/// <summary>
/// The portal folder as a git repository, with the vendor-branch pattern: every rendering is committed — as a whole
/// tree, never touching the working tree — to the branch <c>portal-render</c>, which only renders write; that branch is
/// then merged into the checked-out branch. Git's three-way merge (base = the previous rendering) keeps every local
/// commit in the instance folders and brings in what the new rendering changed; a local edit and a rendering that
/// change the same lines conflict, and the merge is then undone and the files named, so nothing is overwritten.
/// Rendering the same settings again makes no commit at all: the tree equals the branch's, and the branch is already
/// merged.
/// </summary>
internal sealed class RenderRepository
{
    public const string RenderBranch = "portal-render";
    private const string RenderRef = "refs/heads/" + RenderBranch;

    private static readonly Dictionary<string, string> Identity = new(StringComparer.Ordinal)
    {
        ["GIT_AUTHOR_NAME"] = "galaxy portal",
        ["GIT_AUTHOR_EMAIL"] = "portal@galaxy.invalid",
        ["GIT_COMMITTER_NAME"] = "galaxy portal",
        ["GIT_COMMITTER_EMAIL"] = "portal@galaxy.invalid",
    };

    private readonly string _git;

    public RenderRepository(string directory)
    {
        Directory = Path.GetFullPath(directory);
        _git = ToolRunner.Find("git") ?? throw new PortalException("rendering needs git (Debian package git): it is not on PATH");
    }

    public string Directory { get; }

    /// <summary>Commits <paramref name="tree"/> as the new rendering and merges it into the checked-out branch.</summary>
    public RenderOutcome Commit(RenderedTree tree, string message)
    {
        ArgumentNullException.ThrowIfNull(tree);
        EnsureRepository();
        var dirty = Git("checking the portal folder for uncommitted changes", "status", "--porcelain", "--untracked-files=no").StandardOutput;
        if (dirty.Length > 0)
        {
            throw new PortalException($"rendering into {Directory}: it has uncommitted changes; commit or stash them first:\n{dirty.TrimEnd()}");
        }

        var (commit, isNew) = CommitRendering(tree, message);
        var head = Git(null, "rev-parse", "-q", "--verify", "HEAD^{commit}");
        if (!head.Succeeded)
        {
            Git("checking out the first rendering", "reset", "-q", "--hard", commit);
            return new RenderOutcome(commit, isNew, MergeOutcome.FastForward);
        }

        if (Git(null, "merge-base", "--is-ancestor", commit, "HEAD").Succeeded)
        {
            return new RenderOutcome(commit, isNew, MergeOutcome.UpToDate);
        }

        if (Git(null, "merge-base", "--is-ancestor", "HEAD", commit).Succeeded)
        {
            Git("fast-forwarding to the rendering", "merge", "-q", "--ff-only", commit);
            return new RenderOutcome(commit, isNew, MergeOutcome.FastForward);
        }

        var merge = Git(null, "merge", "-q", "--no-ff", "--no-edit", "--no-gpg-sign", "-m", $"Merge the portal rendering {commit[..12]}", commit);
        if (!merge.Succeeded)
        {
            var conflicts = Git(null, "diff", "--name-only", "--diff-filter=U").StandardOutput.Trim();
            Git(null, "merge", "--abort");
            throw new PortalException(
                $"rendering into {Directory}: the new rendering ({RenderBranch} {commit[..12]}) conflicts with local commits in: " +
                $"{(conflicts.Length > 0 ? conflicts.Replace('\n', ' ') : merge.Describe())}. Nothing was changed; resolve it with `git -C {Directory} merge {RenderBranch}`.");
        }

        return new RenderOutcome(commit, isNew, MergeOutcome.Merged);
    }

    private void EnsureRepository()
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (!System.IO.Directory.Exists(Path.Combine(Directory, ".git")) && !File.Exists(Path.Combine(Directory, ".git")))
        {
            Git($"creating a git repository in {Directory}", "init", "-q");
        }
    }

    /// <summary>Writes the tree to a scratch folder, stages it in a scratch index and commits it onto the render branch if it changed.</summary>
    private (string Commit, bool IsNew) CommitRendering(RenderedTree tree, string message)
    {
        var scratch = System.IO.Directory.CreateTempSubdirectory("galaxy-render-").FullName;
        try
        {
            var work = Path.Combine(scratch, "tree");
            System.IO.Directory.CreateDirectory(work);
            tree.WriteTo(work);
            var gitDir = Git(null, "rev-parse", "--absolute-git-dir").StandardOutput.Trim();
            var env = new Dictionary<string, string>(Identity, StringComparer.Ordinal) { ["GIT_INDEX_FILE"] = Path.Combine(scratch, "index") };
            RunGit("staging the rendering", ["--git-dir", gitDir, "--work-tree", work, "add", "-A", "-f", "."], work, env);
            var treeId = RunGit("writing the rendering's tree", ["--git-dir", gitDir, "write-tree"], work, env).StandardOutput.Trim();

            var parent = Git(null, "rev-parse", "-q", "--verify", RenderRef + "^{commit}");
            if (parent.Succeeded)
            {
                var parentId = parent.StandardOutput.Trim();
                if (Git("reading the last rendering", "rev-parse", parentId + "^{tree}").StandardOutput.Trim() == treeId)
                {
                    return (parentId, false);
                }

                var commit = Git("committing the rendering", "commit-tree", "--no-gpg-sign", treeId, "-p", parentId, "-m", message).StandardOutput.Trim();
                Git("moving the render branch", "update-ref", RenderRef, commit, parentId);
                return (commit, true);
            }

            var first = Git("committing the first rendering", "commit-tree", "--no-gpg-sign", treeId, "-m", message).StandardOutput.Trim();
            Git("creating the render branch", "update-ref", RenderRef, first, "");
            return (first, true);
        }
        finally
        {
            System.IO.Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Runs git in the portal folder; with <paramref name="what"/> a failure throws, without it the result is returned.</summary>
    private ToolResult Git(string? what, params string[] arguments) =>
        what is null ? ToolRunner.Run(_git, arguments, Directory, Identity) : ToolRunner.RunChecked(_git, arguments, what, Directory, Identity);

    private ToolResult RunGit(string what, string[] arguments, string workingDirectory, Dictionary<string, string> environment) =>
        ToolRunner.RunChecked(_git, arguments, what, workingDirectory, environment);
}
