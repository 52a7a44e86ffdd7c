using System.Globalization;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>One host of a lab: a network namespace and what runs in it.</summary>
public sealed class LabHost
{
    private readonly Lab _lab;

    internal LabHost(Lab lab, string name, string @namespace)
    {
        _lab = lab;
        Name = name;
        Namespace = @namespace;
    }

    /// <summary>The short name the test gave (<c>client</c>, <c>router</c>).</summary>
    public string Name { get; }

    /// <summary>The namespace's full name, as <c>ip netns</c> knows it.</summary>
    public string Namespace { get; }

    /// <summary>
    /// The namespace's path (<c>/run/netns/NAME</c>), for code of the test process that must act inside
    /// it: <c>NetworkNamespace.Run(host.NamespacePath, () => …)</c> creates sockets that belong to this host.
    /// </summary>
    public string NamespacePath => $"/run/netns/{Namespace}";

    /// <summary>Runs a command inside this namespace to completion.</summary>
    public Task<CommandResult> RunAsync(IReadOnlyList<string> argv, string? stdin = null, TimeSpan? timeout = null) =>
        LabCommand.RunAsync(InNamespace(argv), stdin, timeout, TestContext.Current.CancellationToken);

    public Task<CommandResult> RunAsync(params string[] argv) => RunAsync((IReadOnlyList<string>)argv);

    /// <summary>Runs a command inside this namespace and fails with its whole output unless it exits 0.</summary>
    public Task<CommandResult> RunCheckedAsync(IReadOnlyList<string> argv, string? stdin = null, TimeSpan? timeout = null) =>
        LabCommand.RunCheckedAsync(InNamespace(argv), stdin, timeout, TestContext.Current.CancellationToken);

    public Task<CommandResult> RunCheckedAsync(params string[] argv) => RunCheckedAsync((IReadOnlyList<string>)argv);

    /// <summary>Starts a long-running process inside this namespace; the lab stops it at teardown.</summary>
    public LabProcess Start(IReadOnlyList<string> argv, string? stdin = null)
    {
        var process = LabProcess.Start(InNamespace(argv), stdin);
        _lab.Track(process);
        return process;
    }

    public LabProcess Start(params string[] argv) => Start((IReadOnlyList<string>)argv);

    /// <summary>Adds an address (<c>198.51.100.1/24</c>, <c>2001:db8::1/64</c>) to an interface; IPv6 skips DAD.</summary>
    public Task AddAddressAsync(string interfaceName, string cidr) =>
        cidr.Contains(':', StringComparison.Ordinal)
            ? Lab.Ip("-n", Namespace, "address", "add", cidr, "dev", interfaceName, "nodad")
            : Lab.Ip("-n", Namespace, "address", "add", cidr, "dev", interfaceName);

    /// <summary>Adds a route in <c>ip route</c> words: <c>AddRouteAsync("default", "via", "198.51.100.1")</c>.</summary>
    public Task AddRouteAsync(params string[] route) =>
        Lab.Ip(["-n", Namespace, route.Any(w => w.Contains(':', StringComparison.Ordinal)) ? "-6" : "-4", "route", "add", .. route]);

    /// <summary>Sets a sysctl inside this namespace (<c>net.ipv4.ip_forward</c>, <c>1</c>).</summary>
    public Task SetSysctlAsync(string key, string value) =>
        RunCheckedAsync("sysctl", "-q", "-w", $"{key}={value}");

    /// <summary>The names of the links in this namespace.</summary>
    public async Task<IReadOnlyList<string>> LinkNamesAsync()
    {
        var result = await Lab.Ip("-n", Namespace, "-o", "link", "show").ConfigureAwait(false);
        return ParseLinkNames(result.StandardOutput);
    }

    /// <summary>
    /// Waits until something in this namespace listens on <paramref name="port"/> (TCP, or UDP when
    /// <paramref name="udp"/>), checking with <c>ss</c> until the deadline.
    /// </summary>
    public async Task WaitForListenerAsync(int port, bool udp = false, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var deadline = DateTime.UtcNow + limit;
        var filter = string.Create(CultureInfo.InvariantCulture, $"sport = :{port}");
        while (true)
        {
            var result = await RunCheckedAsync("ss", "-H", "-n", udp ? "-lu" : "-lt", filter).ConfigureAwait(false);
            if (result.StandardOutput.Trim().Length > 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new LabException($"nothing listened on {(udp ? "udp" : "tcp")} port {port} in {Namespace} within {limit.TotalSeconds:0.#} s");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts capturing on an interface with tcpdump (an optional pcap filter); stop it to read the packets.</summary>
    public Task<PacketCapture> CaptureAsync(string interfaceName, string? filter = null) =>
        PacketCapture.StartAsync(this, interfaceName, filter, Path.Combine(_lab.WorkDirectory, $"{Name}-{interfaceName}-{Guid.NewGuid():N}.pcap"));

    /// <summary>An address literal of this host, for messages.</summary>
    public override string ToString() => $"{Name} ({Namespace})";

    internal static IReadOnlyList<string> ParseLinkNames(string ipOneLineOutput) =>
        ipOneLineOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':', 3))
            .Where(parts => parts.Length >= 2)
            .Select(parts => parts[1].Trim().Split('@')[0])
            .ToArray();

    private string[] InNamespace(IReadOnlyList<string> argv) => ["ip", "netns", "exec", Namespace, .. argv];
}
