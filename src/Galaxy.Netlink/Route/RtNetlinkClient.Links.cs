using System.Globalization;
using System.Runtime.InteropServices;
using Galaxy.Netlink.Core;
using Galaxy.Netlink.Core.Interop;

namespace Galaxy.Netlink.Route;

public sealed partial class RtNetlinkClient
{
    /// <summary>The link called <paramref name="name"/>, or null when there is none.</summary>
    public LinkInfo? FindLink(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return GetLink(0, name, $"ip link show dev {name}");
    }

    /// <summary>The link with index <paramref name="index"/>, or null when there is none.</summary>
    public LinkInfo? FindLink(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        return GetLink(index, null, $"ip link show ifindex {index}");
    }

    /// <summary>Every link of the namespace (<c>ip link show</c>).</summary>
    public IReadOnlyList<LinkInfo> ListLinks() =>
        Dump<LinkInfo>("ip link show", LinkMessages.WriteDump, LinkMessages.TryParse);

    /// <summary><c>ip link set NAME up|down</c>.</summary>
    public void SetLinkUp(string name, bool up)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Change($"ip link set {name} {(up ? "up" : "down")}", (w, s) => LinkMessages.WriteSetUp(w, s, 0, name, up));
    }

    /// <summary><c>ip link set INDEX up|down</c> by interface index.</summary>
    public void SetLinkUp(int index, bool up)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        Change($"ip link set {LinkWords(index)} {(up ? "up" : "down")}", (w, s) => LinkMessages.WriteSetUp(w, s, index, null, up));
    }

    /// <summary><c>ip link set NAME mtu MTU</c>.</summary>
    public void SetMtu(string name, int mtu)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mtu);
        Change($"ip link set {name} mtu {mtu}", (w, s) => LinkMessages.WriteSetMtu(w, s, 0, name, mtu));
    }

    /// <summary><c>ip link set INDEX mtu MTU</c> by interface index.</summary>
    public void SetMtu(int index, int mtu)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mtu);
        Change($"ip link set {LinkWords(index)} mtu {mtu}", (w, s) => LinkMessages.WriteSetMtu(w, s, index, null, mtu));
    }

    /// <summary>
    /// <c>ip link add NAME type veth peer name PEER [netns NS]</c>: a veth pair, the peer optionally
    /// created straight inside another namespace: <paramref name="peerNamespacePath"/> is a path
    /// (<c>/run/netns/NAME</c>, <c>/proc/PID/ns/net</c>) or, without a slash, a name under <c>/run/netns</c>.
    /// </summary>
    public void CreateVeth(string name, string peerName, string? peerNamespacePath = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(peerName);
        var command = $"ip link add {name} type veth peer name {peerName}" + (peerNamespacePath is null ? "" : $" netns {peerNamespacePath}");
        if (peerNamespacePath is null)
        {
            Change(command, (w, s) => LinkMessages.WriteCreateVeth(w, s, name, peerName, null));
            return;
        }

        if (!peerNamespacePath.Contains('/', StringComparison.Ordinal))
        {
            peerNamespacePath = NetworkNamespace.PathOf(peerNamespacePath);
        }

        var fd = Libc.Open(peerNamespacePath, Libc.OpenReadOnly | Libc.OpenCloseOnExec);
        if (fd < 0)
        {
            throw new NetlinkException($"{command}: opening {peerNamespacePath}", Marshal.GetLastPInvokeError());
        }

        try
        {
            Change(command, (w, s) => LinkMessages.WriteCreateVeth(w, s, name, peerName, fd));
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary><c>ip link del NAME</c>.</summary>
    public void DeleteLink(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Change($"ip link del {name}", (w, s) => LinkMessages.WriteDelete(w, s, 0, name));
    }

    /// <summary><c>ip link del INDEX</c> by interface index.</summary>
    public void DeleteLink(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        Change($"ip link del {LinkWords(index)}", (w, s) => LinkMessages.WriteDelete(w, s, index, null));
    }

    private LinkInfo? GetLink(int index, string? name, string operation)
    {
        LinkInfo? found = null;
        NetlinkError? error;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer.Reset();
            var sequence = _socket.NextSequence();
            LinkMessages.WriteGet(_writer, sequence, index, name, acknowledge: true);
            error = _socket.Transact(_writer.Written, sequence, sequence, operation, message =>
            {
                if (LinkMessages.TryParse(message, out var link))
                {
                    found = link;
                }
            });
        }

        if (error is { } e)
        {
            if (e.Errno == Errno.ENODEV)
            {
                return null;
            }

            throw new NetlinkException(operation, e.Errno, e.Message, e.Offset);
        }

        return found;
    }

    /// <summary>The link's name for a command text when it can be found, else <c>ifindex N</c>.</summary>
    private string LinkWords(int index) =>
        FindLink(index)?.Name ?? "ifindex " + index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The index of the link called <paramref name="name"/>; ENODEV (with <paramref name="command"/>) when absent.</summary>
    private int RequireLinkIndex(string name, string command) =>
        FindLink(name)?.Index ?? throw new NetlinkException($"{command} (looking up link {name})", Errno.ENODEV);
}
