using System.Collections.Immutable;
using Galaxy.Agent.Config;
using Galaxy.Agent.Tunnels;
using Galaxy.Agent.Tunnels.OpenVpn;
using Galaxy.Agent.Tunnels.OpenVpn.Supervision;

namespace Galaxy.Agent.Agent;

/// <summary>
/// Drives one OpenVPN egress through its <see cref="OpenVpnSupervisor"/>: the device, the process mark and
/// the pinned remotes come from the egress's slot and the agent; the supervisor's status changes become
/// <see cref="TunnelReport"/>s for the reconcile loop.
/// </summary>
/// <remarks>
/// Health: OpenVPN itself notices a dead server only at its ping-restart (60 s with the usual
/// <c>keepalive 10 60</c>). The driver watches the byte counts too: connected but silent (nothing received)
/// for <see cref="SilenceLimit"/> while the server pings every 10 s means the tunnel is not carrying
/// anything, so the egress is reported down and OpenVPN is restarted at once (it would otherwise keep
/// talking to a server that forgot its session until its own ping-restart).
/// </remarks>
internal sealed class OpenVpnDriver : ITunnelDriver
{
    /// <summary>Connected but nothing received for this long: reported down.</summary>
    public static readonly TimeSpan SilenceLimit = TimeSpan.FromSeconds(20);

    private readonly OpenVpnSupervisor _supervisor;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task? _pump;
    private Task? _watch;
    private TunnelReport? _last;

    public OpenVpnDriver(EgressRuntime egress, OpenVpnEgressConfig config, ImmutableArray<PinnedRemote> remotes, string runtimeDirectory, ILoggerFactoryLite logs)
    {
        var directory = Path.Combine(runtimeDirectory, $"openvpn-{config.Name}");
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("OpenVPN egresses run on Linux");
        }

        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var settings = new OpenVpnEgressSettings(
            DeviceName: egress.Device!,
            Mark: checked((int)egress.Slot.ProcessMark),
            ManagementSocket: Path.Combine(directory, "management.sock"),
            RuntimeDirectory: directory,
            Remotes: remotes);
        _supervisor = new OpenVpnSupervisor(config.Imported, settings, ReadCredentials(config.CredentialsFile), logger: logs.Create($"openvpn[{config.Name}]"));
    }

    public void Start(Action<TunnelReport> report)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var status in _supervisor.Changes.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    Publish(status, report);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        _watch = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    Publish(_supervisor.Current, report);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        _ = _supervisor.StartAsync(_stop.Token);
    }

    public void ReleaseHold() => _supervisor.ReleaseHold();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _supervisor.DisposeAsync().ConfigureAwait(false);
        foreach (var task in (Task?[])[_pump, _watch])
        {
            if (task is not null)
            {
                await task.ConfigureAwait(false);
            }
        }

        _stop.Dispose();
    }

    private void Publish(TunnelStatus status, Action<TunnelReport> report)
    {
        var next = ToReport(status, DateTimeOffset.UtcNow);
        lock (_gate)
        {
            if (_last is { } last && last.Connected == next.Connected && last.State == next.State && last.Reason == next.Reason)
            {
                return;
            }

            _last = next;
        }

        report(next);
        if (next.State == "silent")
        {
            // The server lost us (it died, or restarted and forgot our session): start over now rather than at
            // OpenVPN's own ping-restart, a minute later. Once per silence: the new attempt is not "connected".
            _ = _supervisor.RestartAsync(cancellationToken: _stop.Token);
        }
    }

    /// <summary>The agent's view of a supervisor status at <paramref name="now"/>, silence included.</summary>
    internal static TunnelReport ToReport(TunnelStatus status, DateTimeOffset now)
    {
        if (status.IsUp)
        {
            var heardAt = status.BytesInMovedAt is { } moved && moved > status.Since ? moved : status.Since;
            var silence = now - heardAt;
            if (silence >= SilenceLimit)
            {
                return new TunnelReport(false, "silent", $"nothing received from the server for {(int)SilenceLimit.TotalSeconds} s", status.DnsServers);
            }
        }

        return ToReport(status);
    }

    internal static TunnelReport ToReport(TunnelStatus status) => new(
        status.IsUp,
        status.State switch
        {
            TunnelState.AuthFailed => "auth-failed",
            TunnelState.ConfigError => "config-error",
            _ => status.State.ToString().ToLowerInvariant(),
        },
        status.Reason ?? status.Detail,
        status.DnsServers);

    private static OpenVpnCredentials? ReadCredentials(string? path)
    {
        if (path is null)
        {
            return null;
        }

        var lines = File.ReadAllLines(path);
        return new OpenVpnCredentials(lines.ElementAtOrDefault(0), lines.ElementAtOrDefault(1));
    }
}
