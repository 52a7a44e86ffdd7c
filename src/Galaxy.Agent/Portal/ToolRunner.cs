using System.Diagnostics;

namespace Galaxy.Agent.Portal;

/// <summary>What one external tool run gave back.</summary>
internal sealed record ToolResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    public string Describe() => $"`{Command}` exited {ExitCode}: {(StandardError.Trim().Length > 0 ? StandardError.Trim() : StandardOutput.Trim())}";
}

/// <summary>
/// Runs the host tools the portal drives (git, qemu-img, xorriso, virsh) with an argument list (no shell), collecting
/// both streams. Lookups on PATH go through <see cref="Find"/> so a missing tool is named before anything is run.
/// </summary>
internal static class ToolRunner
{
    public static ToolResult Run(string file, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        var command = string.Join(' ', start.ArgumentList.Prepend(file).Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a));
        try
        {
            using var process = Process.Start(start) ?? throw new PortalException($"{command}: could not start");
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            return new ToolResult(command, process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new PortalException($"{command}: could not start {file}: {e.Message}", e);
        }
    }

    public static ToolResult RunChecked(string file, IEnumerable<string> arguments, string what, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var result = Run(file, arguments, workingDirectory, environment);
        return result.Succeeded ? result : throw new PortalException($"{what}: {result.Describe()}");
    }

    /// <summary>The full path of <paramref name="tool"/> on PATH, or null.</summary>
    public static string? Find(string tool)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
