using Galaxy.Agent.Cli;

namespace Galaxy.Agent.Tests.Cli;

public sealed class BuildInfoTests
{
    [Fact]
    public void Informational_version_splits_into_version_and_short_commit()
    {
        var info = BuildInfo.Parse("0.3.1+0123456789abcdef0123", "linux-x64", nativeAot: true);
        Assert.Equal("0.3.1", info.Version);
        Assert.Equal("0123456789ab", info.Commit);
        Assert.Equal("galaxy 0.3.1 (0123456789ab)", info.VersionLine);
    }

    [Fact]
    public void Version_without_commit_prints_no_parentheses()
    {
        var info = BuildInfo.Parse("0.3.1", "linux-musl-x64", nativeAot: false);
        Assert.Null(info.Commit);
        Assert.Equal("galaxy 0.3.1", info.VersionLine);
        Assert.Equal("linux-musl-x64", info.RuntimeIdentifier);
    }

    [Fact]
    public void Empty_commit_is_no_commit()
    {
        Assert.Null(BuildInfo.Parse("1.0.0+", "linux-x64", nativeAot: true).Commit);
    }
}
