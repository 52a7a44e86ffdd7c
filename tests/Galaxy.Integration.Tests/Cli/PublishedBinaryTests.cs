using System.Text.RegularExpressions;
using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Cli;

/// <summary>The NativeAOT binary that ships: it runs alone, needs only libc, and its CLI dispatches.</summary>
public sealed partial class PublishedBinaryTests
{
    private static readonly string[] DotnetInstallRoots =
        ["/usr/share/dotnet", "/usr/lib/dotnet", "/usr/local/share/dotnet", "/opt/dotnet", "/root/.dotnet"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Version_runs_where_no_dotnet_runtime_can_be_found()
    {
        var binary = Artifacts.GalaxyBinary;
        var dotnetRoots = DotnetInstallRoots.Where(Directory.Exists).ToArray();

        // A private mount namespace in which every .NET install is hidden under an empty tmpfs, and an
        // environment with no DOTNET_* variables: a framework-dependent app could not start here.
        var hide = string.Concat(dotnetRoots.Select(root => $"mount -t tmpfs none '{root}' && "));
        var result = await LabCommand.RunAsync(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", $"{hide}exec env -i PATH=/usr/bin:/bin '{binary}' --version"],
            cancellationToken: Token);

        if (result.ExitCode != 0 && !Environment.IsPrivilegedProcess)
        {
            LabPrerequisites.Require(); // without root the mount namespace cannot be made: skip or fail as configured
        }

        Assert.True(result.Succeeded, result.Describe());
        Assert.Matches(VersionLine(), result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Binary_links_only_libc_level_libraries()
    {
        var result = await LabCommand.RunCheckedAsync(["ldd", Artifacts.GalaxyBinary], cancellationToken: Token);
        var libraries = result.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(' ')[0])
            .ToArray();

        string[] libcLevel = ["linux-vdso.so.1", "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libgcc_s.so.1"];
        var unexpected = libraries.Where(l => !libcLevel.Contains(l) && !l.Contains("ld-linux", StringComparison.Ordinal)).ToArray();
        Assert.True(unexpected.Length == 0, $"ldd lists more than libc-level libraries: {string.Join(", ", unexpected)}\n{result.StandardOutput}");
        Assert.Contains("libc.so.6", libraries);
    }

    [Fact]
    public async Task Unknown_command_exits_with_the_usage_code()
    {
        var result = await LabCommand.RunAsync([Artifacts.GalaxyBinary, "no-such-command"], cancellationToken: Token);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no-such-command", result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }

    [Fact]
    public async Task Version_command_reports_a_native_aot_build()
    {
        var result = await LabCommand.RunCheckedAsync([Artifacts.GalaxyBinary, "version"], cancellationToken: Token);
        Assert.Contains("compiled: native AOT", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("runtime:  linux-", result.StandardOutput, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^galaxy \d+\.\d+\.\d+( \([0-9a-f]+\))?$")]
    private static partial Regex VersionLine();
}
