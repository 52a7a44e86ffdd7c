using System.Diagnostics;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>Runs a command to completion with a deadline (no shell: an argv).</summary>
internal static class LabCommand
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static async Task<CommandResult> RunAsync(
        IReadOnlyList<string> argv, string? stdin = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var startInfo = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in argv.Skip(1))
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new LabException($"cannot start `{string.Join(' ', argv)}`: {e.Message}", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        }

        process.StandardInput.Close();

        var limit = timeout ?? DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new LabException(
                $"`{string.Join(' ', argv)}` did not finish within {limit.TotalSeconds:0.#} s; stdout so far: {await stdout.ConfigureAwait(false)}");
        }

        return new CommandResult(argv, process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    public static async Task<CommandResult> RunCheckedAsync(
        IReadOnlyList<string> argv, string? stdin = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(argv, stdin, timeout, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result : throw new LabException(result.Describe());
    }
}
