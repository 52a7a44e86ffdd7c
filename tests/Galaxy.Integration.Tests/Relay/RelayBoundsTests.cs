using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Galaxy.Agent.Egress;
using Galaxy.Agent.Relay;
using Galaxy.Agent.Relay.Udp;
using Galaxy.Netlink;

namespace Galaxy.Integration.Tests.Relay;

/// <summary>
/// The relay's bounds, on the published <c>galaxy relay</c> (its own process, so its descriptors, memory and CPU
/// time are its own): thousands of idle flows without pipes, descriptor exhaustion, and the UDP table's cap.
/// The upstream server's listener never accepts: the kernel completes each handshake and holds the
/// connection in a deep accept queue, which costs the test process no descriptor.
/// </summary>
public sealed class RelayBoundsTests(ITestOutputHelper output)
{
    private const int HoldPort = 9000;
    private const int EchoPort = 9001;

    [Fact(Timeout = 90_000)]
    public async Task Eight_thousand_idle_flows_are_held_with_two_sockets_each_and_no_pipe()
    {
        RequireDescriptors(8000 + 1500);
        await using var lab = await TproxyLab.CreateAsync();
        await lab.Server.SetSysctlAsync("net.core.somaxconn", "16384");
        using var upstream = LabTcp.Listen(lab.Server, TproxyLab.ServerEndPoint(HoldPort), backlog: 16384);
        var relay = await RelayProcess.StartAsync(lab, null, "--max-connections", "8192");
        var clients = new List<Socket>();
        try
        {
            // One flow first (thread pool, loop and tables warm), then the baseline.
            await OpenAsync(lab, clients, 1);
            await WaitForDescriptorsAsync(relay, relay.OpenDescriptors(), 0);
            var baseFds = relay.OpenDescriptors() - 2;
            var baseRss = relay.ResidentBytes();

            await OpenAsync(lab, clients, 999);
            await WaitForDescriptorsAsync(relay, baseFds, 1000);
            var rss1000 = relay.ResidentBytes();

            await OpenAsync(lab, clients, 7000);
            await WaitForDescriptorsAsync(relay, baseFds, 8000);
            var rss8000 = relay.ResidentBytes();
            var queued = await AcceptQueueLengthAsync(lab, HoldPort);

            var perFlow1000 = (rss1000 - baseRss) / 1000.0;
            var perFlow8000 = (rss8000 - baseRss) / 8000.0;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"relay RSS: base {baseRss / 1024} KiB; 1000 flows {rss1000 / 1024} KiB ({perFlow1000 / 1024:0.00} KiB/flow); " +
                $"8000 flows {rss8000 / 1024} KiB ({perFlow8000 / 1024:0.00} KiB/flow); descriptors {relay.OpenDescriptors()}"));
            Assert.True(queued == 8000, $"expected 8000 upstream connections waiting at the server; saw {queued}");
            // Two sockets per idle flow and nothing more: no pipe is held by an idle flow.
            Assert.True(relay.OpenDescriptors() <= baseFds + 2 * 8000 + 8, $"an idle flow holds more than its two sockets; {relay.Describe()}");
            Assert.True(perFlow8000 <= 5 * 1024, $"expected at most 5 KiB of RSS per idle flow at 8000 flows; measured {perFlow8000 / 1024:0.00} KiB");
        }
        finally
        {
            ResetAll(clients);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Out_of_descriptors_the_relay_stays_up_idles_and_serves_again_within_two_seconds()
    {
        const int Limit = 128;
        await using var lab = await TproxyLab.CreateAsync();
        await lab.Server.SetSysctlAsync("net.core.somaxconn", "16384");
        using var upstream = LabTcp.Listen(lab.Server, TproxyLab.ServerEndPoint(HoldPort), backlog: 16384);
        await using var echo = TcpEchoServer.Start(lab.Server, TproxyLab.ServerEndPoint(EchoPort));
        var relay = await RelayProcess.StartAsync(lab, Limit);
        var clients = new List<Socket>();
        try
        {
            // Far more flows than the relay has descriptors for; they are held open.
            await OpenAsync(lab, clients, 400, mustConnect: false);
            await Bounded.WaitUntilAsync(() => relay.Process.HasExited || relay.OpenDescriptors() >= Limit - 2, TimeSpan.FromSeconds(15),
                "the relay runs out of descriptors", relay.Describe);
            Assert.False(relay.Process.HasExited, relay.Describe());

            // Exhausted, with connections waiting in its listen queue: it must back off, not spin on accept.
            var cpuBefore = relay.CpuTime();
            var window = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
            var cores = (relay.CpuTime() - cpuBefore) / window.Elapsed;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"relay CPU while out of descriptors: {cores:0.000} cores; {relay.Describe()}"));
            Assert.False(relay.Process.HasExited, relay.Describe());
            Assert.True(cores < 1.0, $"expected under one core while out of descriptors; measured {cores:0.00}");

            // The load ends: every client goes away with a reset.
            ResetAll(clients);
            var sinceEnd = Stopwatch.StartNew();
            var served = false;
            var attempts = new List<string>();
            while (!served && sinceEnd.Elapsed < TimeSpan.FromSeconds(2))
            {
                var attempt = await ProbeAsync(lab, TimeSpan.FromMilliseconds(500));
                attempts.Add($"{sinceEnd.ElapsedMilliseconds} ms: {attempt}");
                served = attempt == "ok";
            }

            output.WriteLine($"served again after {sinceEnd.ElapsedMilliseconds} ms; attempts: {string.Join(", ", attempts)}");
            Assert.True(served, $"expected the relay to serve again within 2 s of the load ending; attempts: {string.Join(", ", attempts)}; {relay.Describe()}");
        }
        finally
        {
            ResetAll(clients);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Out_of_descriptors_new_udp_flows_are_refused_and_the_relay_keeps_running_its_sessions()
    {
        const int Limit = 128;
        await using var lab = await TproxyLab.CreateAsync();
        await using var echo = UdpEchoServer.Start(lab.Server, TproxyLab.ServerEndPoint(EchoPort));
        var relay = await RelayProcess.StartAsync(lab, Limit);
        using var held = UdpProbe.Open(lab.Client);
        using var flood = UdpProbe.Open(lab.Client);

        // A session before the flood (the positive control), then far more new flows than descriptors: each wants
        // two sockets, and the relay's table would hold 2048.
        var before = await held.ExchangeAsync(TproxyLab.ServerEndPoint(EchoPort), "before", TimeSpan.FromSeconds(5));
        Assert.EndsWith("before", before.Text, StringComparison.Ordinal);
        for (var port = 20_000; port < 20_200; port++)
        {
            flood.Send(TproxyLab.ServerEndPoint(port), "x");
        }

        await Bounded.WaitUntilAsync(() => relay.Process.HasExited || relay.OpenDescriptors() >= Limit - 2, TimeSpan.FromSeconds(15),
            "the relay runs out of descriptors", relay.Describe);
        for (var port = 20_200; port < 20_300; port++)
        {
            flood.Send(TproxyLab.ServerEndPoint(port), "x"); // more, while it is out
        }

        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.False(relay.Process.HasExited, $"the relay died when it ran out of descriptors for UDP; {relay.Describe()}");

        // The session it already held still carries datagrams both ways.
        var after = await held.ExchangeAsync(TproxyLab.ServerEndPoint(EchoPort), "after", TimeSpan.FromSeconds(5));
        Assert.EndsWith("after", after.Text, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_udp_table_stays_within_its_cap_under_fifty_thousand_distinct_flows()
    {
        const int Cap = 1024;
        const int Flows = 50_000;
        await using var lab = await TproxyLab.CreateAsync();
        // The relay's thread is started from inside the router's namespace, so it lives there, and the default
        // socket factory makes its 100 000 sockets there without a namespace switch each.
        var dialer = new DeviceDialer("wan", "wan0", TproxyLab.EgressMark, TimeSpan.FromSeconds(5));
        var listener = UdpRelay.Listen(TproxyLab.RelayEndPoint(), lab.RouterSockets);
        listener.ReceiveBufferSize = 4 << 20;
        using var relay = new UdpRelay(listener, (_, _) => new FlowRoute(dialer), new UdpRelayOptions { MaxSessions = Cap, MaxSessionsPerClient = Cap });
        NetworkNamespace.Run(lab.Router.NamespacePath, () =>
        {
            relay.Start();
            return true;
        });
        using var client = UdpProbe.Open(lab.Client);
        // Only the relay has UDP sockets in the router's namespace; the test process's own descriptor table is
        // shared with the tests running beside this one, so it is not counted.
        var socketsBefore = RouterUdpSockets(lab);
        var maxSeen = 0;
        var maxSockets = 0;

        // 50 000 flows (one client, 50 000 destination ports), sent in bounded batches: each batch is sent only
        // once the relay has taken the previous one, so the listener's buffer never overflows.
        for (var sent = 0; sent < Flows;)
        {
            var batch = Math.Min(500, Flows - sent);
            for (var i = 0; i < batch; i++)
            {
                client.Send(TproxyLab.ServerEndPoint(10_000 + sent + i), "x");
            }

            sent += batch;
            var target = sent;
            await Bounded.WaitUntilAsync(() => relay.SessionsOpened + relay.Refused >= target, TimeSpan.FromSeconds(10),
                $"the relay takes {target} flows", () => $"opened {relay.SessionsOpened}, refused {relay.Refused}, held {relay.SessionCount}");
            maxSeen = Math.Max(maxSeen, relay.SessionCount);
            maxSockets = Math.Max(maxSockets, RouterUdpSockets(lab));
        }

        output.WriteLine($"sessions opened {relay.SessionsOpened}, refused {relay.Refused}, most held {maxSeen}, router UDP sockets {socketsBefore} → at most {maxSockets}");
        Assert.Equal(Flows, relay.SessionsOpened);
        Assert.True(maxSeen <= Cap, $"the table held {maxSeen} sessions, over its cap of {Cap}");
        Assert.Equal(Cap, relay.SessionCount);
        Assert.True(maxSockets >= Cap, $"expected the {Cap} held sessions' sockets in the router's namespace; counted {maxSockets}");
        Assert.True(maxSockets <= socketsBefore + 2 * Cap + 16,
            $"UDP sockets in the router's namespace grew from {socketsBefore} to {maxSockets}: more than two per held session");
    }

    /// <summary>The UDP sockets open in the router's namespace (its /proc/net/udp, read from a thread inside it).</summary>
    private static int RouterUdpSockets(TproxyLab lab) =>
        NetworkNamespace.Run(lab.Router.NamespacePath, () => File.ReadAllLines("/proc/thread-self/net/udp").Length - 1);

    /// <summary>One relayed exchange with the echo server: "ok", or what went wrong.</summary>
    private static async Task<string> ProbeAsync(TproxyLab lab, TimeSpan timeout)
    {
        var socket = NetworkNamespace.Run(lab.Client.NamespacePath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        using (socket)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await socket.ConnectAsync(TproxyLab.ServerEndPoint(EchoPort), deadline.Token);
                await socket.SendAsync("ping"u8.ToArray(), SocketFlags.None, deadline.Token);
                var buffer = new byte[16];
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                return Encoding.ASCII.GetString(buffer, 0, read) == "ping" ? "ok" : $"received {read} bytes";
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                return "timed out";
            }
            catch (SocketException e)
            {
                return e.SocketErrorCode.ToString();
            }
        }
    }

    /// <summary>Opens <paramref name="count"/> client connections to the holding port, at most 128 connecting at once.</summary>
    private static async Task OpenAsync(TproxyLab lab, List<Socket> clients, int count, bool mustConnect = true)
    {
        var sockets = NetworkNamespace.Run(lab.Client.NamespacePath,
            () => Enumerable.Range(0, count).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)).ToArray());
        clients.AddRange(sockets);
        using var gate = new SemaphoreSlim(128);
        var failures = 0;
        await Task.WhenAll(sockets.Select(async socket =>
        {
            await gate.WaitAsync(TestContext.Current.CancellationToken);
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
                deadline.CancelAfter(TimeSpan.FromSeconds(10));
                await socket.ConnectAsync(TproxyLab.ServerEndPoint(HoldPort), deadline.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException && !TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                Interlocked.Increment(ref failures);
            }
            finally
            {
                gate.Release();
            }
        }));
        Assert.True(!mustConnect || failures == 0, $"{failures} of {count} client connections failed");
    }

    private static async Task WaitForDescriptorsAsync(RelayProcess relay, int baseFds, int flows) =>
        await Bounded.WaitUntilAsync(() => relay.Process.HasExited || relay.OpenDescriptors() >= baseFds + 2 * flows, TimeSpan.FromSeconds(40),
            $"the relay holds {flows} flows (2 descriptors each over {baseFds})", relay.Describe);

    /// <summary>Connections the server's kernel holds for its listener (Recv-Q of the listening socket).</summary>
    private static async Task<int> AcceptQueueLengthAsync(TproxyLab lab, int port)
    {
        var result = await lab.Server.RunCheckedAsync("ss", "-H", "-ltn", string.Create(CultureInfo.InvariantCulture, $"sport = :{port}"));
        var fields = result.StandardOutput.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return int.Parse(fields[1], CultureInfo.InvariantCulture);
    }

    private static void ResetAll(List<Socket> clients)
    {
        foreach (var socket in clients)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }

            socket.Dispose();
        }

        clients.Clear();
    }

    private static void RequireDescriptors(int needed)
    {
        var line = File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line["Max open files".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.True(soft == "unlimited" || long.Parse(soft, CultureInfo.InvariantCulture) >= needed,
            $"this test opens about {needed} descriptors in the test process; its limit (RLIMIT_NOFILE) is {soft}");
    }
}
