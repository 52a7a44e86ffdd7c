using System.Collections.Concurrent;
using CliWrap;

namespace Galaxy.Agent.Tunnels.OpenVpn.Supervision;

/// <summary>
/// Starts child processes from one dedicated thread that lives as long as the agent.
/// <para>
/// Why: OpenVPN is launched as <c>setpriv --pdeathsig KILL -- openvpn …</c>, so the kernel kills it when
/// its parent dies, also after <c>kill -9</c> of the agent. Linux delivers that signal when the parent
/// <em>thread</em> exits (prctl(2): "the parent" is the thread that forked), and .NET forks on the thread that
/// calls <c>Process.Start</c> (CliWrap's <c>ExecuteAsync</c> starts the process synchronously). A pool
/// thread may retire any time and take OpenVPN with it; this thread never retires before the process ends.
/// </para>
/// </summary>
internal static class ChildProcessLauncher
{
    private static readonly BlockingCollection<Action> Work = [];
    private static readonly Lazy<Thread> Thread = new(StartThread, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The managed id of the launcher thread (tests check that children come from it).</summary>
    public static int ThreadId => Thread.Value.ManagedThreadId;

    /// <summary>Starts <paramref name="command"/> on the launcher thread; the task completes once the process runs.</summary>
    public static Task<CommandTask<CommandResult>> StartAsync(Command command, CancellationToken forceful, CancellationToken graceful)
    {
        ArgumentNullException.ThrowIfNull(command);
        var started = new TaskCompletionSource<CommandTask<CommandResult>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = Thread.Value;
        Work.Add(() =>
        {
            try
            {
                started.SetResult(command.ExecuteAsync(forceful, graceful));
            }
#pragma warning disable CA1031 // Whatever failed to start is handed to the caller.
            catch (Exception e)
#pragma warning restore CA1031
            {
                started.SetException(e);
            }
        });
        return started.Task;
    }

    private static Thread StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "galaxy-launcher" };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        foreach (var work in Work.GetConsumingEnumerable())
        {
            work();
        }
    }
}
