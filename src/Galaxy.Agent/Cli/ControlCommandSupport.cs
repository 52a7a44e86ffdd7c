using System.CommandLine;
using System.Text.Json;
using Galaxy.Agent.Control;

namespace Galaxy.Agent.Cli;

/// <summary>
/// What <c>galaxy status | egresses | connections | events | lockdown --agent</c> share: <c>--socket</c> (or <c>GALAXY_SOCKET</c>), <c>--json</c>,
/// one GET on the control socket, and the exit codes for an absent agent or a refused user.
/// </summary>
internal static class ControlCommandSupport
{
    public const string SocketVariable = "GALAXY_SOCKET";

    public static Option<string?> SocketOption() =>
        new("--socket") { Description = $"The agent's control socket (default ${SocketVariable}, else {ControlServerOptions.DefaultSocketPath})." };

    public static Option<bool> JsonOption() => new("--json") { Description = "Print the agent's JSON answer as it is." };

    public static string ResolveSocket(string? option) =>
        option is { Length: > 0 } ? option
        : Environment.GetEnvironmentVariable(SocketVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : ControlServerOptions.DefaultSocketPath;

    /// <summary>GETs <paramref name="path"/>; on 200 prints it raw (<paramref name="json"/>) or through <paramref name="render"/>.</summary>
    public static int Get(ParseResult result, string command, string path, Option<string?> socket, Option<bool> json, Action<string, TextWriter> render) =>
        Call(result, command, "GET", path, socket, json, render);

    /// <summary>One request (<paramref name="method"/> <paramref name="path"/>); on 200 prints the answer raw or through <paramref name="render"/>.</summary>
    public static int Call(ParseResult result, string command, string method, string path, Option<string?> socket, Option<bool> json, Action<string, TextWriter> render)
    {
        var output = result.InvocationConfiguration.Output;
        var error = result.InvocationConfiguration.Error;
        var socketPath = ResolveSocket(result.GetValue(socket));
        var call = ControlClient.CallAsync(socketPath, method, path, TimeSpan.FromSeconds(15), CancellationToken.None).GetAwaiter().GetResult();
        if (ExitCodeOf(call) is { } failed)
        {
            error.WriteLine($"galaxy {command}: {call.Message}");
            return failed;
        }

        if (call.StatusCode != 200)
        {
            error.WriteLine($"galaxy {command}: the agent answered {call.StatusCode}: {call.Body}");
            return ExitCodes.Failure;
        }

        if (result.GetValue(json))
        {
            output.WriteLine(call.Body);
            return ExitCodes.Ok;
        }

        try
        {
            render(call.Body, output);
            return ExitCodes.Ok;
        }
        catch (JsonException e)
        {
            error.WriteLine($"galaxy {command}: the agent's answer does not parse: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>The exit code of a call that did not reach an answer (null when the agent answered).</summary>
    public static int? ExitCodeOf(ControlCallResult call) => call.Outcome switch
    {
        ControlCallOutcome.NotRunning => ExitCodes.AgentNotRunning,
        ControlCallOutcome.AccessDenied => ExitCodes.AccessDenied,
        ControlCallOutcome.Failed => ExitCodes.Failure,
        _ => null,
    };

    /// <summary>Left-aligned columns, two spaces apart, a header row first.</summary>
    public static void WriteTable(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = new List<string[]> { header };
        all.AddRange(rows);
        var widths = new int[header.Length];
        foreach (var row in all)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in all)
        {
            var cells = row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]));
            output.WriteLine(string.Join("  ", cells).TrimEnd());
        }
    }

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.0} GiB",
    };

    public static string Age(TimeSpan age) => age switch
    {
        { TotalSeconds: < 60 } => $"{Math.Max(0, (int)age.TotalSeconds)}s",
        { TotalMinutes: < 60 } => $"{(int)age.TotalMinutes}m{age.Seconds:00}s",
        { TotalHours: < 48 } => $"{(int)age.TotalHours}h{age.Minutes:00}m",
        _ => $"{(int)age.TotalDays}d{age.Hours:00}h",
    };
}
