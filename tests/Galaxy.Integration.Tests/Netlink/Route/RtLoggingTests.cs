using System.Net;
using Galaxy.Agent.Tests;
using Galaxy.Netlink;
using Galaxy.Netlink.Route;
using Microsoft.Extensions.Logging;
using TestLab = Galaxy.Integration.Tests.Labs.Lab;

namespace Galaxy.Integration.Tests.Netlink.Route;

/// <summary>Every kernel change is logged at Debug as the <c>ip</c> command that would make it.</summary>
public sealed class RtLoggingTests
{
    [Fact]
    public async Task Changes_are_logged_as_their_ip_commands()
    {
        await using var lab = TestLab.Create();
        var host = await lab.AddHostAsync("r");
        var logger = new RecordingLogger();
        using var rt = RtNetlinkClient.OpenIn(host.NamespacePath, logger);

        rt.AddRule(new RuleSpec { Family = IpFamily.IPv4, Priority = 100, Fwmark = 0x1, FwMask = 0xffffffff, Table = 100 });
        rt.AddRoute(new RouteSpec { Family = IpFamily.IPv4, Type = RouteType.Local, OutputInterface = 1, Table = 100 });
        rt.CreateVeth("va", "vb");
        rt.AddAddress("va", IPAddress.Parse("198.51.100.1"), 24);
        Assert.Throws<NetlinkException>(() => rt.AddRoute(new RouteSpec { Family = IpFamily.IPv4, Type = RouteType.Local, OutputInterface = 1, Table = 100 }));

        string[] expected =
        [
            "kernel change: ip -4 rule add priority 100 fwmark 0x1/0xffffffff lookup 100",
            "kernel change: ip route add local default dev lo table 100",
            "kernel change: ip link add va type veth peer name vb",
            "kernel change: ip address add 198.51.100.1/24 dev va",
            "kernel change refused: ip route add local default dev lo table 100: EEXIST",
        ];
        var debug = logger.Entries.Where(e => e.Level == LogLevel.Debug).Select(e => e.Message).ToArray();
        Assert.True(expected.SequenceEqual(debug), $"expected the Debug log\n  {string.Join("\n  ", expected)}\nbut it was\n  {string.Join("\n  ", debug)}");
    }
}
