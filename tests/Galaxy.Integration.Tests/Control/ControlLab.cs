using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Galaxy.Agent.Control;
using Galaxy.Agent.Relay;
using Galaxy.Integration.Tests.Labs;

namespace Galaxy.Integration.Tests.Control;

/// <summary>A fixed agent behind a real control socket in a temporary directory; runs curl against it.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class ControlLab : IAsyncDisposable
{
    private readonly string root;

    private ControlLab(string root, ControlServer server, FakeAgent agent)
    {
        this.root = root;
        Server = server;
        Agent = agent;
    }

    public ControlServer Server { get; }

    public FakeAgent Agent { get; }

    public string SocketPath => Server.SocketPath;

    public string Directory => Path.GetDirectoryName(SocketPath)!;

    /// <summary>"users" (gid 100 on Debian) is the control group of the tests: it exists without creating one.</summary>
    public const string Group = "users";

    public static async Task<ControlLab> StartAsync(FakeAgent? agent = null, int maxClients = 64, TimeSpan? requestTimeout = null)
    {
        LabPrerequisites.RequireTools("curl", "setpriv");
        var root = Path.Combine(Path.GetTempPath(), $"galaxy-control-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(root);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        agent ??= new FakeAgent();
        var options = new ControlServerOptions
        {
            SocketPath = Path.Combine(root, "run", "galaxy.sock"),
            Group = Group,
            MaxClients = maxClients,
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
        };
        var server = await ControlServer.StartAsync(agent, options, ct: TestContext.Current.CancellationToken);
        return new ControlLab(root, server, agent);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        System.IO.Directory.Delete(root, recursive: true);
    }

    /// <summary>curl (optionally via setpriv as another user): the exit code, the HTTP status and the body.</summary>
    public Task<(int Exit, int Status, string Body)> CurlAsync(string path, string method = "GET", string[]? asUser = null) =>
        CurlAsync(SocketPath, path, method, asUser);

    public static async Task<(int Exit, int Status, string Body)> CurlAsync(string socket, string path, string method = "GET", string[]? asUser = null)
    {
        var argv = new List<string>();
        if (asUser is not null)
        {
            argv.Add("setpriv");
            argv.AddRange(asUser);
        }

        argv.AddRange(["curl", "-sS", "--max-time", "5", "-X", method, "--unix-socket", socket, "-w", "\n%{http_code}", $"http://galaxy{path}"]);
        var (exit, stdout, stderr) = await RunAsync(argv);
        var cut = stdout.LastIndexOf('\n');
        var status = cut >= 0 && int.TryParse(stdout[(cut + 1)..], out var code) ? code : 0;
        return (exit, status, status == 0 ? stdout + stderr : stdout[..cut]);
    }

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(IReadOnlyList<string> argv)
    {
        var start = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in argv.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Sends raw bytes on a fresh connection and reads the answer until the server closes.</summary>
    public async Task<string> RawAsync(byte[] request, bool sendAll = true)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), TestContext.Current.CancellationToken);
        try
        {
            if (sendAll)
            {
                await socket.SendAsync(request, SocketFlags.None, TestContext.Current.CancellationToken);
            }
        }
        catch (SocketException)
        {
            // The server may close before a too-large request is all sent; its answer is still readable.
        }

        var answer = new MemoryStream();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
        }

        return Encoding.ASCII.GetString(answer.ToArray());
    }
}

/// <summary>The agent behind the lab's socket: two egresses, two flows, an optional event stream.</summary>
internal sealed class FakeAgent : IAgentControl
{
    public static readonly DateTimeOffset Started = new(2026, 11, 26, 1, 0, 0, TimeSpan.Zero);

    public IReadOnlyList<string>? Events { get; init; }

    public List<long> Closed { get; } = [];

    public AgentStatus Status() => new("0.1.0", Started, "closed", true, new EgressSummary(2, 1));

    public IReadOnlyList<EgressStatus> Egresses() =>
    [
        new("vpn", "openvpn", true, Started, null, 1000, 2000, 1),
        new("backup", "socks5", false, Started, "connect: refused", 0, 0, 0),
    ];

    public IReadOnlyList<FlowInfo> Connections() =>
    [
        new(7, FlowProtocol.Tcp, IPEndPoint.Parse("198.51.100.7:41000"), IPEndPoint.Parse("203.0.113.5:443"), "vpn", Started, 10, 20, true),
    ];

    public bool CloseConnection(long id)
    {
        lock (Closed)
        {
            Closed.Add(id);
        }

        return id == 7;
    }

    /// <summary>When set, events come from this hub (live), each stream starting with <see cref="Events"/> as its snapshot.</summary>
    public EventHub? Hub { get; init; }

    public ChannelReader<string>? Subscribe(CancellationToken ct)
    {
        if (Hub is not null)
        {
            return Hub.Subscribe(ct, () => Events ?? []);
        }

        if (Events is null)
        {
            return null;
        }

        var channel = Channel.CreateUnbounded<string>();
        foreach (var line in Events)
        {
            channel.Writer.TryWrite(line);
        }

        channel.Writer.Complete();
        return channel.Reader;
    }

    public bool Lockdown { get; private set; }

    /// <summary>What the next reload answers.</summary>
    public ReloadView NextReload { get; set; } = new(true, "1 rule(s), 1 group(s), default 'default'", []);

    /// <summary>The last explain query asked.</summary>
    public ExplainQuery? LastExplain { get; private set; }

    public Task<ReloadView> ReloadAsync(CancellationToken ct) => Task.FromResult(NextReload);

    public ExplainView? Explain(ExplainQuery query)
    {
        LastExplain = query;
        return new ExplainView(query.ToString(), "default", null, "group", "default", "vps", query.Domain, null, "failover: 'vps' is the first member and up", "text");
    }

    public Task<LockdownState> SetLockdownAsync(bool on, CancellationToken ct)
    {
        Lockdown = on;
        return Task.FromResult(new LockdownState(on, on ? "lockdown" : "closed", true));
    }

    public AgentCounters Counters() => new(null, [], new RelayCounters(0, 0, 0, 0), Lockdown);
}
