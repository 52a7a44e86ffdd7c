using System.Net;
using Galaxy.Agent.Dns;
using static Galaxy.Agent.Tests.Dns.DnsGolden;

namespace Galaxy.Agent.Tests.Dns;

public sealed class DnsNameMemoryTests
{
    private readonly ManualTime _time = new();

    [Fact]
    public void An_answered_address_remembers_the_asked_name_and_the_cname_target_until_the_ttl_ends()
    {
        var memory = new DnsNameMemory(time: _time);

        Assert.Equal(1, memory.Learn(Bytes(ReplyAliasA), "www.alias.test"));

        Assert.True(memory.TryGetNames(IPAddress.Parse("192.0.2.81"), out var names), "expected names for 192.0.2.81");
        Assert.Equal(["www.alias.test", "target.alias.test"], names);
        _time.Advance(TimeSpan.FromSeconds(299));
        Assert.True(memory.TryGetNames(IPAddress.Parse("192.0.2.81"), out _), "expected the names to live 300 s");
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(memory.TryGetNames(IPAddress.Parse("192.0.2.81"), out var expired), $"expected no names after 300 s; saw {string.Join(", ", expired)}");
        Assert.Equal(0, memory.AddressCount);
    }

    [Fact]
    public void Aaaa_answers_are_remembered_and_ipv4_mapped_lookups_find_ipv4_answers()
    {
        var memory = new DnsNameMemory(time: _time);
        memory.Learn(Bytes(ReplyExampleAaaa), "example.test");
        memory.Learn(Bytes(ReplyExampleA), "example.test");

        Assert.True(memory.TryGetNames(IPAddress.Parse("2001:db8::80"), out var v6));
        Assert.Equal(["example.test"], v6);
        Assert.True(memory.TryGetNames(IPAddress.Parse("::ffff:192.0.2.80"), out var mapped));
        Assert.Equal(["example.test"], mapped);
    }

    [Fact]
    public void A_name_answered_again_lives_as_long_as_its_newest_ttl()
    {
        var memory = new DnsNameMemory(time: _time);
        var address = IPAddress.Parse("192.0.2.80");
        memory.Remember(address, "example.test", TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(8));
        memory.Remember(address, "example.test", TimeSpan.FromSeconds(10));

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(memory.TryGetNames(address, out var names));
        Assert.Equal(["example.test"], names);
    }

    [Fact]
    public void The_memory_holds_at_most_its_bound_of_addresses_and_names()
    {
        var memory = new DnsNameMemory(maxAddresses: 2, maxNamesPerAddress: 2, time: _time);
        var ttl = TimeSpan.FromMinutes(5);
        memory.Remember(IPAddress.Parse("192.0.2.1"), "one.test", ttl);
        memory.Remember(IPAddress.Parse("192.0.2.2"), "two.test", ttl);
        memory.Remember(IPAddress.Parse("192.0.2.3"), "three.test", ttl);
        memory.Remember(IPAddress.Parse("192.0.2.3"), "a.test", ttl);
        memory.Remember(IPAddress.Parse("192.0.2.3"), "b.test", ttl);

        Assert.Equal(2, memory.AddressCount);
        Assert.False(memory.TryGetNames(IPAddress.Parse("192.0.2.1"), out _), "the oldest address should have been forgotten");
        Assert.True(memory.TryGetNames(IPAddress.Parse("192.0.2.3"), out var names));
        Assert.Equal(["a.test", "b.test"], names);
    }

    [Fact]
    public void An_nxdomain_teaches_nothing()
    {
        var memory = new DnsNameMemory(time: _time);

        Assert.Equal(0, memory.Learn(Bytes(ReplyMissingNxDomain), "missing.zone.test"));
        Assert.Equal(0, memory.AddressCount);
    }
}
