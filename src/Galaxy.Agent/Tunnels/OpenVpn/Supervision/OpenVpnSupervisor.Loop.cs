using System.Net.Sockets;
using System.Text;
using CliWrap;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

internal sealed partial class OpenVpnSupervisor
{
    private async Task RunAsync()
    {
        var actions = new List<SupervisorAction>();
        await foreach (var e in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            actions.Clear();
            try
            {
                await HandleAsync(e, actions).ConfigureAwait(false);
                await ExecuteAsync(actions).ConfigureAwait(false);
                (e as Request)?.Done.TrySetResult();
            }
#pragma warning disable CA1031 // The loop outlives any one failure; the request that caused it gets the exception.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                OpenVpnSupervisorLog.Problem(_logger, _settings.DeviceName, $"handling {e.GetType().Name}: {exception.Message}");
                (e as Request)?.Done.TrySetException(exception);
            }
        }

        // Disposed: nothing may outlive the supervisor.
        if (_process is { } last)
        {
            await StopProcessAsync(last).ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(Event e, List<SupervisorAction> actions)
    {
        switch (e)
        {
            case StartRequest:
                if (_process is null && !_session.IsTerminal)
                {
                    await StartProcessAsync(actions).ConfigureAwait(false);
                }

                break;

            case RestartRequest restart:
                if (_process is { } running)
                {
                    _session.Stopping(processRunning: true);
                    await StopProcessAsync(running).ConfigureAwait(false);
                }

                _session.Reset();
                if (restart.Credentials is not null)
                {
                    _session.SetCredentials(restart.Credentials);
                }

                await StartProcessAsync(actions).ConfigureAwait(false);
                break;

            case StopRequest:
                _session.Stopping(processRunning: _process is not null);
                if (_process is { } stopping)
                {
                    await StopProcessAsync(stopping).ConfigureAwait(false);
                }

                break;

            case ReleaseRequest:
                _session.AllowHoldRelease(actions);
                break;

            case ManagementLine line when line.Generation == _process?.Generation:
                _session.OnLine(line.Line, actions);
                break;

            case ManagementClosed closed when closed.Generation == _process?.Generation:
                // OpenVPN is a management client: it exits by itself now. Its last lines were read before
                // this event, so an exit that already happened is decided now, with all it said.
                _process.CloseManagement();
                if (_process.PendingExitCode is { } code)
                {
                    Exited(_process, code, actions);
                }

                break;

            case ProcessExited exited when exited.Generation == _process?.Generation:
                if (_process.IsManagementOpen)
                {
                    // The exit may overtake the last management lines (">PASSWORD:Verification Failed",
                    // "EXITING,auth-failure"): wait for the end of the socket, or at most a second.
                    _process.PendingExitCode = exited.ExitCode;
                    After(TimeSpan.FromSeconds(1), new ManagementClosed(exited.Generation));
                }
                else
                {
                    Exited(_process, exited.ExitCode, actions);
                }

                break;

            case HoldTimer timer:
                _session.HoldTimerFired(timer.Token, actions);
                break;

            case StartTimer timer when _process is null && _session.ProcessStartWanted(timer.Token):
                await StartProcessAsync(actions).ConfigureAwait(false);
                break;

            case KillTimer kill when kill.Generation == _process?.Generation:
                OpenVpnSupervisorLog.Killing(_logger, _settings.DeviceName, _options.StopGrace.TotalSeconds);
                _process.Kill();
                break;
        }
    }

    private async Task ExecuteAsync(List<SupervisorAction> actions)
    {
        // Actions may add actions (none do today); index loop on purpose.
        for (var i = 0; i < actions.Count; i++)
        {
            switch (actions[i])
            {
                case SendCommand send when _process is { } process:
                    OpenVpnSupervisorLog.Sent(_logger, _settings.DeviceName, send.Secret ? send.Command.Split(' ')[0] + " (hidden)" : send.Command.TrimEnd('\n'));
                    await process.SendAsync(send.Command).ConfigureAwait(false);
                    break;

                case ScheduleHoldRelease hold:
                    After(hold.Delay, new HoldTimer(hold.Token));
                    break;

                case ScheduleProcessStart start:
                    After(start.Delay, new StartTimer(start.Token));
                    break;

                case TerminateProcess when _process is { } process:
                    await process.SendAsync(ManagementCommands.SignalTerm).ConfigureAwait(false);
                    if (!process.ManagementSeen)
                    {
                        process.Interrupt();
                    }

                    After(_options.StopGrace, new KillTimer(process.Generation));
                    break;
            }
        }
    }

    private void After(TimeSpan delay, Event e)
    {
        if (delay <= TimeSpan.Zero)
        {
            _inbox.Writer.TryWrite(e);
            return;
        }

        _ = DelayThenPostAsync(delay, e);
    }

    private async Task DelayThenPostAsync(TimeSpan delay, Event e)
    {
        await Task.Delay(delay, _options.TimeProvider).ConfigureAwait(false);
        _inbox.Writer.TryWrite(e);
    }

    private void Exited(RunningProcess process, int exitCode, List<SupervisorAction> actions)
    {
        OpenVpnSupervisorLog.Exited(_logger, _settings.DeviceName, exitCode);
        _process = null;
        Volatile.Write(ref _processId, 0);
        process.Dispose();
        _session.ProcessExited(exitCode, process.ManagementSeen, process.Summary(), actions);
    }

    /// <summary>SIGTERM over management (SIGINT when there is none), a kill after the grace period; returns once it exited.</summary>
    private async Task StopProcessAsync(RunningProcess process)
    {
        await process.SendAsync(ManagementCommands.SignalTerm).ConfigureAwait(false);
        if (!process.ManagementSeen)
        {
            process.Interrupt();
        }

        var exitCode = await process.WaitForExitAsync(_options.StopGrace, _options.TimeProvider).ConfigureAwait(false);
        if (exitCode is null)
        {
            OpenVpnSupervisorLog.Killing(_logger, _settings.DeviceName, _options.StopGrace.TotalSeconds);
            process.Kill();
            exitCode = await process.WaitForExitAsync(Timeout.InfiniteTimeSpan, _options.TimeProvider).ConfigureAwait(false);
        }

        Exited(process, exitCode ?? -1, []);
    }

    private async Task StartProcessAsync(List<SupervisorAction> actions)
    {
        WriteConfiguration();
        _session.ProcessStarting();

        var generation = ++_generation;
        var socketPath = _settings.ManagementSocket;
        File.Delete(socketPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        RunningProcess process;
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            if (OperatingSystem.IsLinux())
            {
                File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            listener.Listen(1);

            var argv = CommandLine();
            var commandLine = string.Join(' ', argv);
            process = new RunningProcess(generation, _settings.DeviceName, _logger);
            var command = CliWrap.Cli.Wrap(argv[0])
                .WithArguments(argv.Skip(1))
                .WithWorkingDirectory(_settings.RuntimeDirectory)
                .WithValidation(CommandResultValidation.None)
                .WithStandardOutputPipe(PipeTarget.ToDelegate(process.OnOutput))
                .WithStandardErrorPipe(PipeTarget.ToDelegate(process.OnOutput));
            try
            {
                await process.StartAsync(command).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                process.Dispose();
                _session.ProcessExited(127, managementSeen: false, $"cannot start {argv[0]}: {e.Message}", actions);
                return;
            }

            _process = process;
            Volatile.Write(ref _processId, process.ProcessId);
            OpenVpnSupervisorLog.Started(_logger, _settings.DeviceName, process.ProcessId, commandLine);

            _ = WatchExitAsync(process);

            // OpenVPN connects once its options passed; an exit before that is handled by the exit event.
            using var timeout = new CancellationTokenSource(_options.ManagementTimeout, _options.TimeProvider);
            var accept = listener.AcceptAsync(timeout.Token).AsTask();
            var first = await Task.WhenAny(accept, process.Exit).ConfigureAwait(false);
            if (first != accept)
            {
                // Gone before it connected (its options, or the launcher, failed): decide now, so that
                // StartAsync returns with the verdict in Current; the exit event that follows is stale.
                Exited(process, await process.Exit.ConfigureAwait(false), actions);
                return;
            }

            Socket management;
            try
            {
                management = await accept.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                OpenVpnSupervisorLog.Problem(_logger, _settings.DeviceName, $"no management connection within {_options.ManagementTimeout.TotalSeconds} s; stopping it");
                process.Kill();
                return;
            }

            process.AttachManagement(management);
            _ = ReadManagementAsync(process);
            _session.ManagementConnected(actions);
        }
        finally
        {
            listener.Dispose();
            File.Delete(socketPath);
        }
    }

    private string[] CommandLine()
    {
        var argv = new List<string>(_options.CommandPrefix);
        if (_options.DeathSignalLauncher is { } launcher)
        {
            argv.AddRange([launcher, "--pdeathsig", "KILL", "--"]);
        }

        argv.Add(_invocation.Executable);
        argv.AddRange(_invocation.Arguments);
        return [.. argv];
    }

    /// <summary>The runtime directory (0700) and the sanitized configuration (0600), written fresh.</summary>
    private void WriteConfiguration()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("OpenVPN egresses run on Linux only");
        }

        const UnixFileMode Directory0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var directory = Directory.CreateDirectory(_settings.RuntimeDirectory, Directory0700);
        directory.UnixFileMode = Directory0700;
        File.Delete(_invocation.ConfigPath);
        using var file = new FileStream(_invocation.ConfigPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        file.Write(Encoding.UTF8.GetBytes(_invocation.ConfigText));
    }

    private async Task WatchExitAsync(RunningProcess process)
    {
        var exitCode = await process.Exit.ConfigureAwait(false);
        _inbox.Writer.TryWrite(new ProcessExited(process.Generation, exitCode));
    }

    private async Task ReadManagementAsync(RunningProcess process)
    {
        await foreach (var line in process.ReadLinesAsync().ConfigureAwait(false))
        {
            _inbox.Writer.TryWrite(new ManagementLine(process.Generation, line));
        }

        _inbox.Writer.TryWrite(new ManagementClosed(process.Generation));
    }
}
