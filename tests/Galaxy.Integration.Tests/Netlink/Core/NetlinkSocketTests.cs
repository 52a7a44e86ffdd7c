using Galaxy.Integration.Tests.Labs;
using Galaxy.Netlink;
using Galaxy.Netlink.Core;

namespace Galaxy.Integration.Tests.Netlink.Core;

/// <summary>The core socket against the real kernel, inside a lab namespace (raw requests, no rtnetlink layer).</summary>
public sealed class NetlinkSocketTests
{
    private const ushort GetLink = 18;
    private const ushort NewLink = 16;
    private const ushort IflaIfname = 3;
    private const int IfInfoLength = 16;

    [Fact]
    public async Task A_socket_opened_in_a_namespace_sees_that_namespace()
    {
        await using var lab = Lab.Create();
        var a = await lab.AddHostAsync("a");
        var b = await lab.AddHostAsync("b");
        await lab.ConnectAsync(a, "probe0", b, "probe1");

        using var socket = NetworkNamespace.Run(a.NamespacePath, () => NetlinkSocket.Open(NetlinkProtocol.Route));
        using var writer = new NetlinkWriter();
        var names = socket.Dump<string>(writer, WriteLinkDump, ParseLinkName, "dumping links");

        names.Sort(StringComparer.Ordinal);
        Assert.Equal(["lo", "probe0"], names);
    }

    [Fact]
    public async Task A_request_gets_its_reply_and_ack_and_a_bad_one_its_errno()
    {
        await using var lab = Lab.Create();
        var host = await lab.AddHostAsync("solo");
        using var socket = NetworkNamespace.Run(host.NamespacePath, () => NetlinkSocket.Open(NetlinkProtocol.Route));
        using var writer = new NetlinkWriter();

        var replies = new List<string>();
        var sequence = WriteGetLink(writer, socket, "lo");
        var error = socket.Transact(writer.Written, sequence, sequence, "looking up lo", m =>
        {
            if (m.Type == NewLink && m.Attributes(IfInfoLength).TryFind(IflaIfname, out var name))
            {
                replies.Add(name.AsString());
            }
        });
        Assert.Null(error);
        Assert.Equal(["lo"], replies);

        writer.Reset();
        sequence = WriteGetLink(writer, socket, "nosuch0");
        error = socket.Transact(writer.Written, sequence, sequence, "looking up nosuch0");
        Assert.NotNull(error);
        Assert.Equal(19, error.Value.Errno); // ENODEV
        Assert.Equal(sequence, error.Value.RequestSequence);
    }

    private static uint WriteGetLink(NetlinkWriter writer, NetlinkSocket socket, string name)
    {
        var sequence = socket.NextSequence();
        var start = writer.BeginMessage(GetLink, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagAck, sequence);
        writer.Reserve(IfInfoLength);
        writer.WriteString(IflaIfname, name);
        writer.EndMessage(start);
        return sequence;
    }

    private static void WriteLinkDump(NetlinkWriter writer, uint sequence)
    {
        var start = writer.BeginMessage(GetLink, NetlinkProtocol.FlagRequest | NetlinkProtocol.FlagDump, sequence);
        writer.Reserve(IfInfoLength);
        writer.EndMessage(start);
    }

    private static bool ParseLinkName(NetlinkMessage message, out string name)
    {
        name = "";
        if (message.Type != NewLink || !message.Attributes(IfInfoLength).TryFind(IflaIfname, out var attribute))
        {
            return false;
        }

        name = attribute.AsString();
        return true;
    }
}
