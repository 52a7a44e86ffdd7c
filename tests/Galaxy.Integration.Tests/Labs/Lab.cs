using System.Text.RegularExpressions;

namespace Galaxy.Integration.Tests.Labs;

/// <summary>
/// A small network of real network namespaces for one test. Every namespace is named
/// <c>glx-PID-START-SEQ-HOST</c>: the owning test process (pid and start time) and a per-lab
/// sequence number, so concurrent tests never collide and leftovers of a crashed run can be told from
/// a live run's. Dispose it (<c>await using</c>) and everything it made is gone, also when the test
/// failed: processes are stopped by pid, every process still inside a namespace is killed, and the
/// namespaces (with their veth links) are deleted.
/// </summary>
public sealed partial class Lab : IAsyncDisposable
{
    public const string NamespacePrefix = "glx-";

    private static int _sequence;

    private readonly List<LabHost> _hosts = [];
    private readonly List<LabProcess> _processes = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    private Lab(string prefix, string workDirectory)
    {
        Prefix = prefix;
        WorkDirectory = workDirectory;
    }

    /// <summary>The namespace-name prefix of this lab: <c>glx-PID-START-SEQ-</c>.</summary>
    public string Prefix { get; }

    /// <summary>A scratch directory of this lab's own (captures, configuration files), removed on dispose.</summary>
    public string WorkDirectory { get; }

    public IReadOnlyList<LabHost> Hosts
    {
        get
        {
            lock (_gate)
            {
                return [.. _hosts];
            }
        }
    }

    /// <summary>
    /// Starts a lab: checks the prerequisites (failing or skipping the test as <see cref="LabPrerequisites"/>
    /// decides), and the first time in this process reaps the leftovers of crashed runs.
    /// </summary>
    public static Lab Create()
    {
        LabPrerequisites.Require();
        LabReaper.ReapLeftoversOnce();
        var prefix = $"{NamespacePrefix}{LabOwner.Current}-{Interlocked.Increment(ref _sequence)}-";
        var work = Path.Combine(Path.GetTempPath(), prefix.TrimEnd('-'));
        Directory.CreateDirectory(work);
        return new Lab(prefix, work);
    }

    /// <summary>Adds a host: a fresh namespace with its loopback up.</summary>
    public async Task<LabHost> AddHostAsync(string name)
    {
        if (!HostName().IsMatch(name))
        {
            throw new ArgumentException($"host name \"{name}\" must be 1-16 lowercase letters or digits", nameof(name));
        }

        var host = new LabHost(this, name, Prefix + name);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_hosts.Any(h => h.Name == name))
            {
                throw new ArgumentException($"host \"{name}\" already exists in this lab", nameof(name));
            }

            _hosts.Add(host);
        }

        await Ip("netns", "add", host.Namespace).ConfigureAwait(false);
        await Ip("-n", host.Namespace, "link", "set", "lo", "up").ConfigureAwait(false);
        return host;
    }

    /// <summary>
    /// Connects two hosts with a veth pair (<paramref name="interfaceA"/> in <paramref name="a"/>,
    /// <paramref name="interfaceB"/> in <paramref name="b"/>), both ends up. The pair is created
    /// directly inside the namespaces, so no name ever appears in the root namespace.
    /// </summary>
    public async Task ConnectAsync(LabHost a, string interfaceA, LabHost b, string interfaceB)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
        }

        await Ip("-n", a.Namespace, "link", "add", interfaceA, "type", "veth", "peer", "name", interfaceB, "netns", b.Namespace)
            .ConfigureAwait(false);
        await Ip("-n", a.Namespace, "link", "set", interfaceA, "up").ConfigureAwait(false);
        await Ip("-n", b.Namespace, "link", "set", interfaceB, "up").ConfigureAwait(false);
    }

    internal void Track(LabProcess process)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _processes.Add(process);
        }
    }

    internal static Task<CommandResult> Ip(params string[] arguments) =>
        LabCommand.RunCheckedAsync(["ip", .. arguments], cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        LabProcess[] processes;
        LabHost[] hosts;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            processes = [.. _processes];
            hosts = [.. _hosts];
        }

        var problems = new List<string>();
        foreach (var process in processes)
        {
            try
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }
            catch (LabException e)
            {
                problems.Add(e.Message);
            }
        }

        foreach (var host in hosts)
        {
            var problem = await LabReaper.RemoveNamespaceAsync(host.Namespace).ConfigureAwait(false);
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }

        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }

        if (problems.Count > 0)
        {
            throw new LabException($"lab {Prefix} teardown left things behind: {string.Join("; ", problems)}");
        }
    }

    [GeneratedRegex("^[a-z0-9]{1,16}$")]
    private static partial Regex HostName();
}
