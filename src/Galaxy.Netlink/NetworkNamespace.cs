using System.Runtime.InteropServices;
using Galaxy.Netlink.Core.Interop;

namespace Galaxy.Netlink;

/// <summary>
/// Runs code inside another network namespace. A socket keeps the namespace it was created in, so a
/// netlink client (or a listening socket) made inside <see cref="Run{T}"/> works on that namespace for
/// its whole life, from any thread.
/// </summary>
public static class NetworkNamespace
{
    /// <summary>The path of a namespace that <c>ip netns add NAME</c> created.</summary>
    public static string PathOf(string name) => $"/run/netns/{name}";

    /// <summary>
    /// Runs <paramref name="action"/> on a fresh thread that has entered the namespace at
    /// <paramref name="path"/> (<c>/run/netns/NAME</c> or <c>/proc/PID/ns/net</c>); the thread ends
    /// afterwards, so no pooled thread is ever left in another namespace.
    /// </summary>
    public static T Run<T>(string path, Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter(path);
                result = action();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = "netns " + path,
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        return result;
    }

    private static void Enter(string path)
    {
        var fd = Libc.Open(path, Libc.OpenReadOnly | Libc.OpenCloseOnExec);
        if (fd < 0)
        {
            throw new NetlinkException($"opening network namespace {path}", Marshal.GetLastPInvokeError());
        }

        try
        {
            if (Libc.SetNs(fd, Libc.CloneNewNet) != 0)
            {
                throw new NetlinkException($"entering network namespace {path}", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
