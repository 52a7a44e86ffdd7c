using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using CliWrap;
using Microsoft.Extensions.Logging;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>
/// One OpenVPN process and its management connection; owns both. Its output lines go to the log (Debug)
/// and the newest ones are kept to explain an early exit.
/// </summary>
internal sealed class RunningProcess : IDisposable
{
    private const int OutputLinesKept = 40;

    private readonly string _device;
    private readonly ILogger _logger;
    private readonly Queue<string> _output = new();
    private readonly CancellationTokenSource _kill = new();
    private readonly CancellationTokenSource _interrupt = new();
    private readonly TaskCompletionSource<int> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Socket? _management;
    private NetworkStream? _stream;

    public RunningProcess(int generation, string device, ILogger logger)
    {
        Generation = generation;
        _device = device;
        _logger = logger;
    }

    public int Generation { get; }

    public int ProcessId { get; private set; }

    /// <summary>OpenVPN connected to the management socket (its options were accepted).</summary>
    public bool ManagementSeen { get; private set; }

    /// <summary>The management connection is attached and not yet closed.</summary>
    public bool IsManagementOpen => _stream is not null;

    /// <summary>The exit code of an exit seen while management lines may still be unread.</summary>
    public int? PendingExitCode { get; set; }

    /// <summary>Completes with the exit code (-1 when it was killed) once the process ended and its output was read.</summary>
    public Task<int> Exit => _exit.Task;

    public async Task StartAsync(Command command)
    {
        var task = await ChildProcessLauncher.StartAsync(command, _kill.Token, _interrupt.Token).ConfigureAwait(false);
        ProcessId = task.ProcessId;
        _ = CompleteExitAsync(task);
    }

    public void OnOutput(string line)
    {
        OpenVpnSupervisorLog.Output(_logger, _device, line);
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > OutputLinesKept)
            {
                _output.Dequeue();
            }
        }
    }

    /// <summary>The output line that best explains an exit: the last error, else the last line.</summary>
    public string? Summary()
    {
        lock (_output)
        {
            return _output.LastOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? _output.LastOrDefault();
        }
    }

    public void AttachManagement(Socket management)
    {
        _management = management;
        _stream = new NetworkStream(management, ownsSocket: true);
        ManagementSeen = true;
    }

    public async IAsyncEnumerable<string> ReadLinesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_stream is not { } stream)
        {
            yield break;
        }

        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
            {
                yield break;
            }

            if (line is null)
            {
                yield break;
            }

            yield return line;
        }
    }

    /// <summary>Writes one command; false when the connection is gone (OpenVPN is exiting).</summary>
    public async Task<bool> SendAsync(string command)
    {
        if (_stream is not { } stream)
        {
            return false;
        }

        try
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(command)).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            return false;
        }
    }

    public void CloseManagement()
    {
        _stream?.Dispose();
        _stream = null;
        _management = null;
    }

    /// <summary>SIGINT (CliWrap's graceful cancellation), for a process without a management connection.</summary>
    public void Interrupt() => _interrupt.Cancel();

    /// <summary>SIGKILL.</summary>
    public void Kill() => _kill.Cancel();

    /// <summary>The exit code, or null when it has not exited within <paramref name="timeout"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout, TimeProvider time)
    {
        try
        {
            return await _exit.Task.WaitAsync(timeout, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        CloseManagement();
        _kill.Dispose();
        _interrupt.Dispose();
    }

    private async Task CompleteExitAsync(CommandTask<CommandResult> task)
    {
        try
        {
            var result = await task.ConfigureAwait(false);
            _exit.TrySetResult(result.ExitCode);
        }
        catch (OperationCanceledException)
        {
            _exit.TrySetResult(-1);
        }
#pragma warning disable CA1031 // Any other end of the process is still an exit.
        catch (Exception e)
#pragma warning restore CA1031
        {
            OnOutput($"process ended: {e.Message}");
            _exit.TrySetResult(-1);
        }
    }
}
