using System.Net;
using System.Net.Sockets;
using CliWrap;
using Galaxy.Agent.Tunnels.OpenVpn.Supervision;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Galaxy.Agent.Tunnels.Ssh;

/// <summary>
/// Supervises one <c>ssh -N -D</c> process: starts it (held until <see cref="Release"/>) from the launcher
/// thread under <c>setpriv --pdeathsig KILL</c>, watches it, restarts it with backoff when it ends. Health as
/// for OpenVPN: the connection is up while the process lives and its SOCKS port accepts (ssh opens the
/// dynamic forward only after the server accepted the key, so an accepting port means an authenticated
/// session); ssh's own keepalives (3 × 10 s) end a connection whose server went silent.
/// </summary>
internal sealed class SshConnection : IAsyncDisposable
{
    /// <summary>The port is probed this often until it first accepts.</summary>
    public static readonly TimeSpan StartingProbe = TimeSpan.FromMilliseconds(250);

    /// <summary>The port is probed this often while up.</summary>
    public static readonly TimeSpan UpProbe = TimeSpan.FromSeconds(2);

    /// <summary>Probes in a row that may fail while up before the process is restarted.</summary>
    public const int MissesAllowed = 3;

    /// <summary>Up this long: the next failure counts as the first one again.</summary>
    public static readonly TimeSpan StableAfter = TimeSpan.FromSeconds(60);

    private const int OutputLinesKept = 20;

    private readonly SshConnectionSpec _spec;
    private readonly IReadOnlyList<string> _argv;
    private readonly string _commandText;
    private readonly Action<SshConnectionStatus> _report;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly OpenVpnBackoff _backoff;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Queue<string> _output = new();
    private Task? _loop;
    private SshConnectionStatus? _last;

    public SshConnection(SshConnectionSpec spec, IReadOnlyList<string> argv, Action<SshConnectionStatus> report, ILogger? logger = null, TimeProvider? time = null, OpenVpnBackoff? backoff = null)
    {
        _spec = spec;
        _argv = argv;
        _commandText = SshCommandLine.ToText(argv);
        _report = report;
        _logger = logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        _backoff = backoff ?? new OpenVpnBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
    }

    public SshConnectionStatus? Current => _last;

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>The firewall that confines ssh is in place: it may connect.</summary>
    public void Release() => _released.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        Publish(false, "connecting", "waiting for the firewall");
        try
        {
            await _released.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            var failures = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                var (wasUp, upFor, exitCode) = await RunOnceAsync(failures, cancellationToken).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                failures = wasUp && upFor >= StableAfter ? 1 : failures + 1;
                var delay = _backoff.Delay(failures, Random.Shared.NextDouble());
                var last = LastLines();
                var hint = last.Select(SshLogHints.Classify).LastOrDefault(h => h is not null);
                var said = last.LastOrDefault(l => l.Length > 0);
                Publish(false, hint?.State ?? "exited", hint is null
                    ? $"ssh exited with code {exitCode}{(said is null ? "" : $": {said}")}"
                    : $"{hint.Hint}{(said is null ? "" : $" (ssh: {said})")}");
                SshLog.Exited(_logger, _spec.Label, exitCode, delay.TotalSeconds);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        Publish(false, "stopped", null);
    }

    /// <summary>One process from start to exit: whether it was up, for how long, and its exit code.</summary>
    private async Task<(bool WasUp, TimeSpan UpFor, int ExitCode)> RunOnceAsync(int failures, CancellationToken cancellationToken)
    {
        lock (_output)
        {
            _output.Clear();
        }

        using var kill = new CancellationTokenSource();
        using var interrupt = new CancellationTokenSource();
        var command = CliWrap.Cli.Wrap(_argv[0])
            .WithArguments(_argv.Skip(1))
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToDelegate(OnOutput))
            .WithStandardErrorPipe(PipeTarget.ToDelegate(OnOutput));
        CommandTask<CommandResult> task;
        try
        {
            task = await ChildProcessLauncher.StartAsync(command, kill.Token, interrupt.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever prevents the start is reported, and retried after a backoff.
        catch (Exception e)
#pragma warning restore CA1031
        {
            OnOutput($"cannot start {_argv[0]}: {e.Message}");
            return (false, TimeSpan.Zero, -1);
        }

        SshLog.Started(_logger, _spec.Label, task.ProcessId, _commandText);
        Publish(false, failures == 0 ? "connecting" : "reconnecting", null);
        var exit = WaitForExitAsync(task);
        using var stopping = cancellationToken.Register(kill.Cancel);
        var up = false;
        var upSince = DateTimeOffset.MinValue;
        var misses = 0;
        while (!exit.IsCompleted)
        {
            try
            {
                await Task.WhenAny(exit, Task.Delay(up ? UpProbe : StartingProbe, _time, cancellationToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (exit.IsCompleted || cancellationToken.IsCancellationRequested)
            {
                break;
            }

            var accepts = await ProbeAsync(_spec.SocksPort, cancellationToken).ConfigureAwait(false);
            if (accepts)
            {
                misses = 0;
                if (!up)
                {
                    up = true;
                    upSince = _time.GetUtcNow();
                    Publish(true, "connected", null);
                }
            }
            else if (up && ++misses >= MissesAllowed)
            {
                Publish(false, "unresponsive", "the SOCKS port stopped accepting; restarting ssh");
                kill.Cancel();
            }
        }

        var code = await exit.ConfigureAwait(false);
        return (up, up ? _time.GetUtcNow() - upSince : TimeSpan.Zero, code);
    }

    private static async Task<int> WaitForExitAsync(CommandTask<CommandResult> task)
    {
        try
        {
            return (await task.ConfigureAwait(false)).ExitCode;
        }
        catch (OperationCanceledException)
        {
            return -1;
        }
#pragma warning disable CA1031 // Any other end of the process is an exit too.
        catch (Exception)
#pragma warning restore CA1031
        {
            return -1;
        }
    }

    /// <summary>Whether ssh's dynamic forward accepts a connection now (closed at once, nothing sent).</summary>
    internal static async Task<bool> ProbeAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), deadline.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private void OnOutput(string line)
    {
        SshLog.Output(_logger, _spec.Label, line);
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > OutputLinesKept)
            {
                _output.Dequeue();
            }
        }
    }

    private List<string> LastLines()
    {
        lock (_output)
        {
            return [.. _output];
        }
    }

    private void Publish(bool up, string state, string? reason)
    {
        var next = new SshConnectionStatus(_spec.Index, up, state, reason);
        if (_last == next)
        {
            return;
        }

        _last = next;
        SshLog.StateChanged(_logger, _spec.Label, state, reason is null ? "" : $": {reason}");
        _report(next);
    }
}
