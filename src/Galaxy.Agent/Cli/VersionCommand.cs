using System.CommandLine;

namespace Galaxy.Agent.Cli;

/// <summary><c>galaxy version</c>: the version line plus how this binary was built, for bug reports.</summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Show the version, commit and runtime of this binary.");
        command.SetAction(result =>
        {
            var info = BuildInfo.Current;
            var output = result.InvocationConfiguration.Output;
            output.WriteLine($"version:  {info.Version}");
            output.WriteLine($"commit:   {info.Commit ?? "unknown"}");
            output.WriteLine($"runtime:  {info.RuntimeIdentifier}");
            output.WriteLine($"compiled: {(info.NativeAot ? "native AOT" : "JIT (not a published binary)")}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
