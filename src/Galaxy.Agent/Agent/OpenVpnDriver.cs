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
internal sealed class OpenVpnDriver : ITunnelDriver
{
    private readonly OpenVpnSupervisor _supervisor;
    private readonly CancellationTokenSource _stop = new();
    private Task? _pump;

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
                    report(ToReport(status));
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
        if (_pump is not null)
        {
            await _pump.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>The profile's remotes that are address literals, pinned as written, in order.</summary>
    public static ImmutableArray<PinnedRemote> PinLiteralRemotes(OvpnProfile profile)
    {
        var pinned = ImmutableArray.CreateBuilder<PinnedRemote>();
        for (var i = 0; i < profile.Remotes.Length; i++)
        {
            var remote = profile.Remotes[i];
            if (System.Net.IPAddress.TryParse(remote.Host, out var address))
            {
                pinned.Add(new PinnedRemote(address, remote.Port, remote.Transport, i));
            }
        }

        return pinned.ToImmutable();
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
