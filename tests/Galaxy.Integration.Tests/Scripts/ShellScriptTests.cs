using Galaxy.Integration.Tests.Labs;
using Galaxy.Integration.Tests.Portal;
using Galaxy.Integration.Tests.Support;

namespace Galaxy.Integration.Tests.Scripts;

/// <summary>
/// Every shell script of the repository passes shellcheck: the bash ones (build.sh, .ci/run, bench/, demo/) as their
/// shebang says, the router image's ones (alpine/: build-image.sh, install-galaxy.sh, the answers file, the OpenRC
/// service files) as POSIX sh, since Alpine runs them with busybox ash. The service files are then loaded the way
/// openrc-run loads them — sourced into sh with need/use/after/before recorded — and their dependencies and
/// supervision settings checked (Debian's openrc-run cannot run on a machine OpenRC did not boot).
/// </summary>
public sealed class ShellScriptTests
{
    private static readonly string Root = Artifacts.RepositoryRoot;

    private static readonly string[] FixedBashScripts = ["build.sh", ".ci/run"];

    private static readonly string ServiceDirectory = Path.Combine(Root, "alpine", "base-files", "etc", "init.d");

    [Fact]
    public async Task Every_bash_script_of_the_repository_passes_shellcheck()
    {
        HostTools.Require(("shellcheck", "shellcheck"));
        var scripts = FixedBashScripts
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "bench"), "*.sh").Select(p => Path.GetRelativePath(Root, p)))
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "demo"), "*.sh").Select(p => Path.GetRelativePath(Root, p)))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.True(scripts.Length >= 4, $"expected build.sh, .ci/run and the bench and demo scripts, saw {string.Join(", ", scripts)}");

        var result = await RunIn(Root, ["shellcheck", "-x", .. scripts]);
        Assert.True(result.Succeeded, $"expected shellcheck to pass {string.Join(", ", scripts)}, saw {result.Describe()}");
    }

    [Fact]
    public async Task Every_script_of_the_router_image_passes_shellcheck_as_posix_sh()
    {
        HostTools.Require(("shellcheck", "shellcheck"));
        var alpine = Path.Combine(Root, "alpine");
        var scripts = Directory.EnumerateFiles(alpine, "*.sh", SearchOption.AllDirectories)
            .Append(Path.Combine(alpine, "answers"))
            .Concat(Directory.EnumerateFiles(ServiceDirectory))
            .Select(p => Path.GetRelativePath(Root, p))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Contains("alpine/build-image.sh", scripts);
        Assert.Contains("alpine/base-files/etc/init.d/galaxy", scripts);

        var result = await RunIn(Root, ["shellcheck", "-s", "sh", .. scripts]);
        Assert.True(result.Succeeded, $"expected shellcheck -s sh to pass {string.Join(", ", scripts)}, saw {result.Describe()}");
    }

    [Fact]
    public async Task Every_openrc_service_file_parses_as_sh()
    {
        foreach (var service in Directory.EnumerateFiles(ServiceDirectory))
        {
            var result = await HostTools.RunAsync("sh", "-n", service);
            Assert.True(result.Succeeded, $"expected {service} to parse with sh -n, saw {result.Describe()}");
            Assert.StartsWith("#!/sbin/openrc-run\n", File.ReadAllText(service), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Lockdown_and_config_run_before_networking_and_the_agent()
    {
        var lockdown = await Load("galaxy-lockdown");
        Assert.Contains("before:net", lockdown.Dependencies);
        Assert.Contains("before:networking", lockdown.Dependencies);
        Assert.Contains("before:galaxy-config", lockdown.Dependencies);
        Assert.Contains("function:start", lockdown.Dependencies);

        var config = await Load("galaxy-config");
        Assert.Contains("after:galaxy-lockdown", config.Dependencies);
        Assert.Contains("before:networking", config.Dependencies);
        Assert.Contains("before:galaxy", config.Dependencies);
        Assert.Contains("before:galaxy-dhcp", config.Dependencies);
        Assert.Contains("function:start", config.Dependencies);
    }

    [Fact]
    public async Task The_agent_and_the_dhcp_server_are_supervised_with_bounded_respawn()
    {
        foreach (var (name, command, argument) in new[] { ("galaxy", "/usr/bin/galaxy", "agent --config"), ("galaxy-dhcp", "/bin/busybox", "udhcpd -f /run/udhcpd.conf") })
        {
            var service = await Load(name);
            Assert.Contains("need:net", service.Dependencies);
            Assert.Contains("need:galaxy-config", service.Dependencies);
            Assert.Equal("supervise-daemon", service.Variables["supervisor"]);
            Assert.Equal(command, service.Variables["command"]);
            Assert.Contains(argument, service.Variables["command_args"], StringComparison.Ordinal);
            Assert.True(int.TryParse(service.Variables["respawn_delay"], out var delay) && delay > 0, $"{name}: expected a positive respawn_delay, saw '{service.Variables["respawn_delay"]}'");
            Assert.True(int.TryParse(service.Variables["respawn_max"], out var max) && max > 0, $"{name}: expected a positive respawn_max, saw '{service.Variables["respawn_max"]}'");
            Assert.True(int.TryParse(service.Variables["respawn_period"], out var period) && period > 0, $"{name}: expected a positive respawn_period, saw '{service.Variables["respawn_period"]}'");
        }
    }

    private sealed record LoadedService(IReadOnlyList<string> Dependencies, IReadOnlyDictionary<string, string> Variables);

    /// <summary>Sources the service file into sh as openrc-run would, with depend()'s keywords recorded, and calls depend().</summary>
    private static async Task<LoadedService> Load(string name)
    {
        const string Harness = """
            for keyword in need use want after before provide keyword; do
              eval "$keyword() { for x in \"\$@\"; do printf '%s:%s\n' $keyword \"\$x\"; done; }"
            done
            . "$1"
            depend
            for f in start stop start_pre stop_pre; do
              if command -v "$f" >/dev/null 2>&1; then printf 'function:%s\n' "$f"; fi
            done
            for v in supervisor command command_args respawn_delay respawn_max respawn_period; do
              eval "printf 'var:%s=%s\n' $v \"\${$v-}\""
            done
            """;
        var result = await HostTools.RunAsync("sh", "-c", Harness, "harness", Path.Combine(ServiceDirectory, name));
        Assert.True(result.Succeeded, $"expected {name} to load and answer depend(), saw {result.Describe()}");
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var variables = lines.Where(l => l.StartsWith("var:", StringComparison.Ordinal))
            .Select(l => l[4..].Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return new LoadedService([.. lines.Where(l => !l.StartsWith("var:", StringComparison.Ordinal))], variables);
    }

    private static Task<CommandResult> RunIn(string directory, string[] command) =>
        LabCommand.RunAsync(["sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "run", directory, .. command], cancellationToken: TestContext.Current.CancellationToken);
}
