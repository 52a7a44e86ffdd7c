using System.Diagnostics;
using System.Text;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>
/// A long-running process started by the lab (usually inside a namespace through
/// <c>ip netns exec</c>, which execs, so <see cref="Pid"/> is the program's own pid). Its output is
/// kept for assertions and failure messages; it is stopped by pid when the test ends.
/// </summary>
public sealed class LabProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private TaskCompletionSource _changed = NewSignal();

    private LabProcess(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    public int Pid => _process.Id;

    /// <summary>What was started, for messages: the argv as one line.</summary>
    public string Description { get; }

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    internal static LabProcess Start(IReadOnlyList<string> argv, string? stdin = null)
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

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var labProcess = new LabProcess(process, string.Join(' ', argv));
        process.OutputDataReceived += (_, e) => labProcess.Append(labProcess._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => labProcess.Append(labProcess._stderr, e.Data);
        process.Exited += (_, _) => labProcess.Pulse();
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new LabException($"cannot start `{labProcess.Description}`: {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        return labProcess;
    }

    /// <summary>Waits until <paramref name="text"/> has appeared <paramref name="occurrences"/> times on stdout or stderr.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout, int occurrences = 1)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (Count(_stdout.ToString(), text) + Count(_stderr.ToString(), text) >= occurrences)
                {
                    return;
                }

                changed = _changed.Task;
            }

            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                if (Count(StandardOutput, text) + Count(StandardError, text) >= occurrences)
                {
                    return;
                }

                throw new LabException($"`{Description}` exited with {_process.ExitCode} before printing \"{text}\" {occurrences} time(s); {Output()}");
            }

            try
            {
                await changed.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new LabException($"`{Description}` did not print \"{text}\" {occurrences} time(s) within {timeout.TotalSeconds:0.#} s; {Output()}");
            }
        }
    }

    /// <summary>How many times <paramref name="text"/> occurs in <paramref name="output"/>.</summary>
    public static int Count(string output, string text)
    {
        var count = 0;
        for (var i = output.IndexOf(text, StringComparison.Ordinal); i >= 0; i = output.IndexOf(text, i + text.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new LabException($"`{Description}` did not exit within {timeout.TotalSeconds:0.#} s; {Output()}");
        }

        return _process.ExitCode;
    }

    /// <summary>Sends <paramref name="signal"/> by pid, then SIGKILL if it has not exited after <paramref name="grace"/>.</summary>
    public async Task StopAsync(int signal = LabNative.SigTerm, TimeSpan? grace = null)
    {
        if (!_process.HasExited)
        {
            LabNative.Signal(Pid, signal);
            if (!await ExitedWithinAsync(grace ?? TimeSpan.FromSeconds(3)).ConfigureAwait(false))
            {
                // Did not honour the signal in time: kill it.
                LabNative.Signal(Pid, LabNative.SigKill);
            }
        }

        // Bounded: WaitForExitAsync also waits for the redirected output to close, and a child the process
        // forked (socat fork, a daemon) may hold it open forever after the process itself is gone.
        if (!await ExitedWithinAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false) && !_process.HasExited)
        {
            throw new LabException($"`{Description}` (pid {Pid}) did not exit after SIGKILL");
        }
    }

    private async Task<bool> ExitedWithinAsync(TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return _process.HasExited;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    /// <summary>Stdout and stderr so far, for failure messages.</summary>
    public string Output() => $"stdout: {StandardOutput.Trim()} | stderr: {StandardError.Trim()}";

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Append(StringBuilder target, string? line)
    {
        if (line is not null)
        {
            lock (_gate)
            {
                target.Append(line).Append('\n');
            }
        }

        Pulse();
    }

    private void Pulse()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }
}
