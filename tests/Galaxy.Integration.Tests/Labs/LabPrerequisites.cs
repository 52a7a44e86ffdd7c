namespace Galaxy.Integration.Tests.Labs;

/// <summary>
/// Whether this machine can build labs: root, iproute2, namespaces that can really be created, and
/// the tools the lab drives. Without them a test skips — unless <c>GALAXY_REQUIRE_NETNS=1</c>
/// (set by CI), where a missing prerequisite is a failure that names what is missing.
/// </summary>
public static class LabPrerequisites
{
    public const string RequireVariable = "GALAXY_REQUIRE_NETNS";

    /// <summary>Programs the lab itself runs; a test that needs more checks for them with <see cref="RequireTools"/>.</summary>
    private static readonly string[] LabTools = ["ip", "sysctl", "ss", "tcpdump"];

    private static readonly Lazy<string?> Missing = new(Probe);

    public enum Decision
    {
        Run,
        Skip,
        Fail,
    }

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>What to do about a missing prerequisite (<paramref name="missing"/> is null when nothing is).</summary>
    public static Decision Decide(string? missing, bool required) =>
        missing is null ? Decision.Run : required ? Decision.Fail : Decision.Skip;

    /// <summary>Returns when labs can be built; otherwise fails or skips the calling test.</summary>
    public static void Require() => Act(Missing.Value);

    /// <summary>Like <see cref="Require"/>, for programs one test needs beyond the lab's own.</summary>
    public static void RequireTools(params string[] tools)
    {
        Require();
        var absent = tools.Where(tool => FindOnPath(tool) is null).ToArray();
        Act(absent.Length == 0 ? null : $"missing program(s) {string.Join(", ", absent)} (run ./build.sh setup)");
    }

    public static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Select(directory => Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
    }

    private static void Act(string? missing)
    {
        switch (Decide(missing, Required))
        {
            case Decision.Fail:
                throw new LabException($"{RequireVariable}=1 but the network-namespace lab cannot run here: {missing}");
            case Decision.Skip:
                Assert.Skip($"network-namespace lab unavailable: {missing} (set {RequireVariable}=1 to make this a failure)");
                break;
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "not Linux";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "not running as root (namespaces, veth and nftables need CAP_NET_ADMIN and CAP_SYS_ADMIN)";
        }

        var absent = LabTools.Where(tool => FindOnPath(tool) is null).ToArray();
        if (absent.Length > 0)
        {
            return $"missing program(s) {string.Join(", ", absent)} (run ./build.sh setup)";
        }

        var probe = $"{Lab.NamespacePrefix}{LabOwner.Current}-probe";
        var add = LabCommand.RunAsync(["ip", "netns", "add", probe]).GetAwaiter().GetResult();
        if (!add.Succeeded)
        {
            return $"cannot create a network namespace: {add.Describe()}";
        }

        var delete = LabCommand.RunAsync(["ip", "netns", "delete", probe]).GetAwaiter().GetResult();
        return delete.Succeeded ? null : $"cannot delete a network namespace: {delete.Describe()}";
    }
}
