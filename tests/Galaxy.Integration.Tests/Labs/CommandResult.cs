namespace Galaxy.Integration.Tests.Labs;

/// <summary>What one finished command printed and returned.</summary>
public sealed record CommandResult(IReadOnlyList<string> Command, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The whole story of the command, for failure messages.</summary>
    public string Describe() =>
        $"`{string.Join(' ', Command)}` exited {ExitCode}\n  stdout: {Trim(StandardOutput)}\n  stderr: {Trim(StandardError)}";

    private static string Trim(string text)
    {
        text = text.Trim();
        return text.Length == 0 ? "(empty)" : text.Length > 2000 ? text[..2000] + " …" : text;
    }
}
