using System.Net;
using Galaxy.Agent.Dns;

namespace Galaxy.Agent.Tests.Dns;

public sealed class ResolvConfTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("galaxy-resolvconf-").FullName;

    [Fact]
    public void The_file_points_at_the_agent_and_nothing_else()
    {
        var path = Path.Combine(_directory, "resolv.conf");
        File.WriteAllText(path, "nameserver 10.8.0.1\nsearch vpn.example\n");

        ResolvConf.Write(path, IPAddress.Loopback);

        var lines = File.ReadAllLines(path).Where(l => !l.StartsWith('#')).ToArray();
        Assert.Equal(["nameserver 127.0.0.1"], lines);
        Assert.Equal([path], Directory.GetFiles(_directory)); // no temporary file left behind
    }

    [Fact]
    public void The_file_is_replaced_by_a_rename_so_an_open_reader_keeps_the_old_content()
    {
        var path = Path.Combine(_directory, "resolv.conf");
        File.WriteAllText(path, "nameserver 10.8.0.1\n");
        using var reader = new StreamReader(path);

        ResolvConf.Write(path, IPAddress.IPv6Loopback);

        Assert.Equal("nameserver 10.8.0.1", reader.ReadLine());
        Assert.Contains("nameserver ::1\n", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_is_replaced_by_a_file_not_followed()
    {
        var target = Path.Combine(_directory, "stub-resolv.conf");
        File.WriteAllText(target, "nameserver 127.0.0.53\n");
        var path = Path.Combine(_directory, "resolv.conf");
        File.CreateSymbolicLink(path, target);

        ResolvConf.Write(path, IPAddress.Loopback);

        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal("nameserver 127.0.0.53\n", File.ReadAllText(target));
    }

    [Fact]
    public void A_missing_directory_is_an_error_that_names_the_file()
    {
        var path = Path.Combine(_directory, "absent", "resolv.conf");

        var error = Assert.Throws<IOException>(() => ResolvConf.Write(path, IPAddress.Loopback));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
