using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Portal;

/// <summary>
/// The host tools the portal tests use as oracles (qemu-img, xorriso, virt-xml-validate, shellcheck, …). Missing ones skip
/// the test, or fail it under <c>GALAXY_REQUIRE_NETNS=1</c> (CI), naming the Debian package to install.
/// </summary>
internal static class HostTools
{
    public static void Require(params (string Tool, string Package)[] tools)
    {
        var absent = tools.Where(t => LabPrerequisites.FindOnPath(t.Tool) is null).Select(t => $"{t.Tool} (Debian package {t.Package})").ToArray();
        if (absent.Length == 0)
        {
            return;
        }

        var message = $"missing {string.Join(", ", absent)}: run ./build.sh setup";
        if (LabPrerequisites.Required)
        {
            throw new InvalidOperationException($"{LabPrerequisites.RequireVariable}=1 but {message}");
        }

        Assert.Skip(message);
    }

    public static Task<CommandResult> RunAsync(params string[] command) => LabCommand.RunAsync(command, cancellationToken: TestContext.Current.CancellationToken);
}
