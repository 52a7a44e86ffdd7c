using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using Galaxy.Agent.Tunnels;
using Galaxy.Agent.Tunnels.OpenVpn;
using Galaxy.Agent.Tunnels.OpenVpn.Supervision;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Tunnels.OpenVpn.Supervision;

/// <summary>
/// A VPS namespace running a real OpenVPN server (configured by <c>galaxy vps openvpn</c>, see
/// <see cref="OpenVpnTestPki"/>) and an edge namespace for the client, joined by a veth
/// pair (198.51.100.1 ↔ .2). The supervisor under test runs in the test process and starts OpenVPN with
/// the prefix <c>ip netns exec EDGE</c> (which execs, so OpenVPN's parent is still the launcher thread);
/// the agent itself runs inside its own namespace and needs no prefix.
/// </summary>
internal sealed class OpenVpnLab : IAsyncDisposable
{
    public const int Mark = 71;

    private LabProcess? _server;

    private OpenVpnLab(Lab lab, LabHost vps, LabHost edge, OpenVpnTestPki pki)
    {
        Lab = lab;
        Vps = vps;
        Edge = edge;
        Pki = pki;
    }

    public Lab Lab { get; }

    public LabHost Vps { get; }

    public LabHost Edge { get; }

    public OpenVpnTestPki Pki { get; }

    public static async Task<OpenVpnLab> CreateAsync(bool checkPasswords = false)
    {
        if (!File.Exists("/usr/sbin/openvpn") || !File.Exists("/usr/bin/setpriv"))
        {
            Assert.Skip("openvpn and setpriv (util-linux) are needed");
        }

        var lab = Lab.Create();
        try
        {
            var vps = await lab.AddHostAsync("vps");
            var edge = await lab.AddHostAsync("edge");
            await lab.ConnectAsync(edge, "wan0", vps, "eth0");
            await vps.AddAddressAsync("eth0", OpenVpnTestPki.ServerAddress + "/24");
            await edge.AddAddressAsync("wan0", OpenVpnTestPki.ClientAddress + "/24");
            var pki = await OpenVpnTestPki.WriteAsync(Path.Combine(lab.WorkDirectory, "pki"), checkPasswords);
            return new OpenVpnLab(lab, vps, edge, pki);
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    public async Task StartServerAsync()
    {
        _server = Vps.Start(Pki.ServerArguments);
        await _server.WaitForOutputAsync("Initialization Sequence Completed", TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGTERM: the server tells its clients (explicit-exit-notify) and exits.</summary>
    public async Task StopServerAsync()
    {
        if (_server is { } server)
        {
            await server.StopAsync();
            _server = null;
        }
    }

    public string ServerOutput => _server?.Output() ?? "(server not running)";

    /// <summary>A supervisor for <paramref name="profilePath"/> whose OpenVPN runs in the edge namespace.</summary>
    public OpenVpnSupervisor Supervisor(string profilePath, OpenVpnBackoff backoff, OpenVpnCredentials? credentials = null, string device = "gvpn0", int mark = Mark, string? executable = null)
    {
        var import = OvpnImporter.ImportFile(profilePath);
        Assert.True(import.IsImportable, $"expected the test profile to import; errors: {string.Join("; ", import.Errors)}");
        var runtime = Path.Combine(Lab.WorkDirectory, "run-" + device);
        var settings = new OpenVpnEgressSettings(
            device,
            mark,
            Path.Combine(runtime, "mgmt.sock"),
            runtime,
            [new PinnedRemote(IPAddress.Parse(OpenVpnTestPki.ServerAddress), OpenVpnTestPki.Port, OvpnTransport.Udp, 0)]);
        if (executable is not null)
        {
            settings = settings with { Executable = executable };
        }

        var options = new OpenVpnSupervisorOptions
        {
            CommandPrefix = ["ip", "netns", "exec", Edge.Namespace],
            Backoff = backoff,
            Random = () => 0.5,
            StopGrace = TimeSpan.FromSeconds(3),
        };
        return new OpenVpnSupervisor(import.Profile!, settings, credentials, options);
    }

    public ValueTask DisposeAsync() => Lab.DisposeAsync();
}

/// <summary>Reads a supervisor's published changes and waits for one with a deadline; remembers all for messages.</summary>
internal sealed class StatusWatch(OpenVpnSupervisor supervisor)
{
    private readonly List<(TimeSpan At, TunnelStatus Status)> _seen = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public IReadOnlyList<(TimeSpan At, TunnelStatus Status)> Seen => _seen;

    public async Task<TunnelStatus> WaitForAsync(Func<TunnelStatus, bool> predicate, TimeSpan timeout, string what)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (await supervisor.Changes.WaitToReadAsync(deadline.Token))
            {
                while (supervisor.Changes.TryRead(out var status))
                {
                    _seen.Add((_clock.Elapsed, status));
                    if (predicate(status))
                    {
                        return status;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
        }

        throw new Xunit.Sdk.XunitException($"expected {what} within {timeout.TotalSeconds:0.#} s; saw:\n{Describe()}");
    }

    /// <summary>Collects changes for <paramref name="duration"/>.</summary>
    public async Task CollectAsync(TimeSpan duration)
    {
        try
        {
            await WaitForAsync(_ => false, duration, "nothing");
        }
        catch (Xunit.Sdk.XunitException)
        {
            // The window ended.
        }
    }

    public string Describe() => string.Join('\n', _seen.Select(s => string.Create(CultureInfo.InvariantCulture,
        $"  {s.At.TotalSeconds,6:0.00}s {s.Status.State} {s.Status.Detail} attempt={s.Status.Attempt} {s.Status.Reason}")));

    public static ImmutableArray<string> Addresses(TunnelStatus status) => [.. status.DnsServers.Select(a => a.ToString())];
}
