using System.Buffers.Binary;
using System.Net;
using Galaxy.Agent.Dns;
using static Galaxy.Agent.Tests.Dns.DnsGolden;

namespace Galaxy.Agent.Tests.Dns;

/// <summary>The forwarder against resolvers on 127.0.0.1 (no root, no namespace).</summary>
public sealed class DnsForwarderTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>
    /// Timeouts for forwarders whose servers answer: long enough that only a hang reaches them, since on a loaded
    /// machine a loopback answer may take a while and a test must not turn that into a SERVFAIL.
    /// </summary>
    private static readonly DnsForwarderOptions Patient = new() { UdpTimeout = TimeSpan.FromSeconds(30), TcpTimeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task With_no_egress_up_the_answer_is_servfail_at_once_and_nothing_is_sent()
    {
        await using var upstream = new FakeUpstream((_, _) => Bytes(ReplyExampleA));
        var forwarder = new DnsForwarder(() => null, new DnsCache(), new DnsNameMemory(), Patient);

        // "At once": the answer is ready when the call returns, with nothing awaited (no timer, no upstream).
        var pending = forwarder.ResolveAsync(Bytes(QueryExampleA), DnsTransport.Udp, Token);
        Assert.True(pending.IsCompletedSuccessfully, "with no egress up, the SERVFAIL must not wait for anything");
        var reply = await pending;

        Assert.NotNull(reply);
        Assert.Equal(DnsResponseCode.ServerFailure, (DnsResponseCode)(reply[3] & 0x0f));
        Assert.Equal(0x41b4, DnsHeader.ReadId(reply));
        Assert.Equal(0, upstream.UdpQueries + upstream.TcpQueries);
        Assert.Equal(new DnsStatistics(1, 0, 0, 0, 1, 0, 0), forwarder.Statistics);
    }

    [Fact]
    public async Task A_second_query_is_answered_from_the_cache_with_its_own_id()
    {
        await using var upstream = new FakeUpstream((_, _) => Bytes(ReplyExampleA));
        var dialer = new LoopbackDialer();
        var forwarder = new DnsForwarder(() => new DnsUpstream(dialer, [upstream.EndPoint]), new DnsCache(), new DnsNameMemory(), Patient);

        var first = await forwarder.ResolveAsync(Bytes(QueryExampleA), DnsTransport.Udp, Token);
        var again = Bytes(QueryExampleA);
        DnsHeader.WriteId(again, 0x0102);
        var second = await forwarder.ResolveAsync(again, DnsTransport.Udp, Token);

        Assert.Equal(ReplyExampleA, Convert.ToHexStringLower(first!));
        Assert.Equal(0x0102, DnsHeader.ReadId(second!));
        Assert.Equal(1, upstream.UdpQueries);
        Assert.Equal(new DnsStatistics(2, 1, 1, 0, 0, 0, 0), forwarder.Statistics);
        Assert.True(forwarder.Names.TryGetNames(IPAddress.Parse("192.0.2.80"), out var names));
        Assert.Equal(["example.test"], names);
    }

    [Fact]
    public async Task Clients_asking_the_same_question_at_once_share_one_upstream_exchange()
    {
        using var gate = new ManualResetEventSlim();
        await using var upstream = new FakeUpstream((_, _) =>
        {
            gate.Wait(TimeSpan.FromSeconds(30)); // the resolver "thinks" until both clients have asked
            return Bytes(ReplyExampleA);
        });
        var forwarder = new DnsForwarder(() => new DnsUpstream(new LoopbackDialer(), [upstream.EndPoint]), new DnsCache(), new DnsNameMemory(), Patient);

        var first = forwarder.ResolveAsync(Bytes(QueryExampleA), DnsTransport.Udp, Token).AsTask();
        await WaitUntilAsync(() => upstream.UdpQueries == 1, () => $"upstream queries: {upstream.UdpQueries}");
        var other = Bytes(QueryExampleA);
        DnsHeader.WriteId(other, 0x0bbb);
        var second = forwarder.ResolveAsync(other, DnsTransport.Udp, Token).AsTask();
        gate.Set();
        var replies = await Task.WhenAll(first, second);

        Assert.Equal([0x41b4, 0x0bbb], replies.Select(r => (int)DnsHeader.ReadId(r!)));
        Assert.Equal(1, upstream.UdpQueries);
        Assert.Equal(new DnsStatistics(2, 1, 1, 0, 0, 0, 0), forwarder.Statistics);
    }

    [Fact]
    public async Task The_upstream_sees_a_fresh_id_not_the_clients()
    {
        var seen = new List<ushort>();
        await using var upstream = new FakeUpstream((query, _) =>
        {
            lock (seen)
            {
                seen.Add(DnsHeader.ReadId(query));
            }

            return Bytes(ReplyExampleAaaa);
        });
        var forwarder = new DnsForwarder(() => new DnsUpstream(new LoopbackDialer(), [upstream.EndPoint]), new DnsCache(), new DnsNameMemory(), Patient);

        var reply = await forwarder.ResolveAsync(Bytes(QueryExampleAaaa), DnsTransport.Udp, Token);

        Assert.Equal(0x2166, DnsHeader.ReadId(reply!));
        Assert.Single(seen);
        // One in 65536 runs the random id equals the client's; that is fine, so only the plumbing is checked.
        Assert.Equal(1, upstream.UdpQueries);
    }

    [Fact]
    public async Task A_silent_server_is_left_after_its_timeout_for_the_next()
    {
        await using var silent = new FakeUpstream((_, _) => null);
        await using var working = new FakeUpstream((_, _) => Bytes(ReplyExampleA));
        var forwarder = new DnsForwarder(
            () => new DnsUpstream(new LoopbackDialer(), [silent.EndPoint, working.EndPoint]), new DnsCache(), new DnsNameMemory(),
            // The timeout applies to the working server too: long enough that a loaded machine still gets its answer in.
            new DnsForwarderOptions { UdpTimeout = TimeSpan.FromSeconds(3) });

        var reply = await forwarder.ResolveAsync(Bytes(QueryExampleA), DnsTransport.Udp, Token);

        Assert.Equal(ReplyExampleA, Convert.ToHexStringLower(reply!));
        Assert.Equal((1, 1), (silent.UdpQueries, working.UdpQueries));
        Assert.Equal(1, forwarder.Statistics.UpstreamFailures);
    }

    [Fact]
    public async Task When_every_server_is_silent_the_client_gets_servfail()
    {
        await using var silent = new FakeUpstream((_, _) => null);
        var dialer = new LoopbackDialer();
        var forwarder = new DnsForwarder(
            () => new DnsUpstream(dialer, [silent.EndPoint]), new DnsCache(), new DnsNameMemory(),
            new DnsForwarderOptions { UdpTimeout = TimeSpan.FromMilliseconds(500), Rounds = 2 });

        var reply = await forwarder.ResolveAsync(Bytes(QueryExampleA), DnsTransport.Udp, Token);

        Assert.Equal(DnsResponseCode.ServerFailure, (DnsResponseCode)(reply![3] & 0x0f));
        Assert.Equal(2, dialer.UdpDials);

        // The server counts a query when its receive loop runs, which a busy machine may do after the SERVFAIL.
        await WaitUntilAsync(() => silent.UdpQueries == 2, () => $"the server saw {silent.UdpQueries} queries");
        Assert.Equal(new DnsStatistics(1, 0, 2, 2, 1, 0, 0), forwarder.Statistics);
    }

    [Fact]
    public async Task A_truncated_udp_reply_is_asked_again_over_tcp()
    {
        await using var upstream = new FakeUpstream((_, tcp) => tcp ? Bytes(ReplyExampleA) : Truncated(Bytes(ReplyExampleA)));
        var forwarder = new DnsForwarder(() => new DnsUpstream(new LoopbackDialer(), [upstream.EndPoint]), new DnsCache(), new DnsNameMemory(), Patient);

        var reply = await forwarder.ResolveAsync(Bytes(QueryExampleA), DnsTransport.Udp, Token);

        Assert.Equal(ReplyExampleA, Convert.ToHexStringLower(reply!));
        Assert.Equal((1, 1), (upstream.UdpQueries, upstream.TcpQueries));
        Assert.Equal(1, forwarder.Statistics.TcpFallbacks);
    }

    [Fact]
    public async Task A_client_asking_over_tcp_is_forwarded_over_tcp()
    {
        await using var upstream = new FakeUpstream((_, _) => Bytes(ReplyExampleA));
        var forwarder = new DnsForwarder(() => new DnsUpstream(new LoopbackDialer(), [upstream.EndPoint]), new DnsCache(), new DnsNameMemory(), Patient);

        var reply = await forwarder.ResolveAsync(Bytes(QueryExampleA), DnsTransport.Tcp, Token);

        Assert.Equal(ReplyExampleA, Convert.ToHexStringLower(reply!));
        Assert.Equal((0, 1), (upstream.UdpQueries, upstream.TcpQueries));
    }

    [Fact]
    public async Task An_answer_larger_than_the_clients_udp_size_comes_back_truncated()
    {
        var big = WithManyAddresses(Bytes(QueryPlainExampleA), 40);
        await using var upstream = new FakeUpstream((_, _) => big);
        var forwarder = new DnsForwarder(() => new DnsUpstream(new LoopbackDialer(), [upstream.EndPoint]), new DnsCache(), new DnsNameMemory(), Patient);

        var udp = await forwarder.ResolveAsync(Bytes(QueryPlainExampleA), DnsTransport.Udp, Token);
        var tcp = await forwarder.ResolveAsync(Bytes(QueryPlainExampleA), DnsTransport.Tcp, Token);

        Assert.True(big.Length > 512, $"the test answer is {big.Length} bytes");
        Assert.True(DnsHeader.TryRead(udp!, out var header) && header.IsTruncated && header.AnswerCount == 0,
            $"expected an empty TC reply over UDP; got {Convert.ToHexStringLower(udp!)}");
        Assert.Equal(big.Length, tcp!.Length);
        Assert.Equal(1, forwarder.Statistics.CacheHits); // the TCP retry is served from the cache
    }

    [Fact]
    public async Task A_reply_to_another_question_is_not_accepted()
    {
        await using var upstream = new FakeUpstream((_, _) => Bytes(ReplyExampleAaaa));
        var forwarder = new DnsForwarder(
            () => new DnsUpstream(new LoopbackDialer(), [upstream.EndPoint]), new DnsCache(), new DnsNameMemory(),
            new DnsForwarderOptions { UdpTimeout = TimeSpan.FromMilliseconds(150) });

        var reply = await forwarder.ResolveAsync(Bytes(QueryExampleA), DnsTransport.Udp, Token);

        Assert.Equal(DnsResponseCode.ServerFailure, (DnsResponseCode)(reply![3] & 0x0f));
    }

    [Fact]
    public async Task A_refusing_server_is_passed_over_for_one_that_answers()
    {
        var refusal = Bytes(ReplyExampleA);
        refusal[3] = (byte)((refusal[3] & 0xf0) | 5);
        await using var refusing = new FakeUpstream((_, _) => refusal);
        await using var working = new FakeUpstream((_, _) => Bytes(ReplyExampleA));
        var forwarder = new DnsForwarder(
            () => new DnsUpstream(new LoopbackDialer(), [refusing.EndPoint, working.EndPoint]), new DnsCache(), new DnsNameMemory(), Patient);

        var reply = await forwarder.ResolveAsync(Bytes(QueryExampleA), DnsTransport.Udp, Token);

        Assert.Equal(ReplyExampleA, Convert.ToHexStringLower(reply!));
    }

    [Fact]
    public async Task Garbage_is_dropped_a_malformed_query_gets_formerr_and_another_opcode_notimp()
    {
        var forwarder = new DnsForwarder(() => null, new DnsCache(), new DnsNameMemory(), Patient);
        var loop = Convert.FromHexString("abcd01000001000000000000c00c00010001");
        var notify = Bytes(QueryPlainExampleA);
        notify[2] |= 0x20; // opcode 4 (NOTIFY)

        Assert.Null(await forwarder.ResolveAsync(new byte[5], DnsTransport.Udp, Token));
        Assert.Null(await forwarder.ResolveAsync(Bytes(ReplyExampleA), DnsTransport.Udp, Token));
        var formerr = await forwarder.ResolveAsync(loop, DnsTransport.Udp, Token);
        var notimp = await forwarder.ResolveAsync(notify, DnsTransport.Udp, Token);

        Assert.Equal("abcd" + "8181" + "0000000000000000", Convert.ToHexStringLower(formerr!));
        Assert.Equal(DnsResponseCode.NotImplemented, (DnsResponseCode)(notimp![3] & 0x0f));
        Assert.Equal(new DnsStatistics(4, 0, 0, 0, 0, 4, 0), forwarder.Statistics);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> state)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"condition not met within 5 s; {state()}");
            await Task.Delay(10, Token);
        }
    }

    private static byte[] Truncated(byte[] reply)
    {
        reply[2] |= 0x02;
        return reply;
    }

    /// <summary>The reply to <paramref name="query"/> with <paramref name="count"/> A records (owner 0xc00c, TTL 300).</summary>
    private static byte[] WithManyAddresses(byte[] query, int count)
    {
        var reply = new List<byte>(query);
        reply[2] = 0x81;
        reply[3] = 0x80;
        reply[6] = (byte)(count >> 8);
        reply[7] = (byte)count;
        for (var i = 0; i < count; i++)
        {
            reply.AddRange([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 0x2c, 0, 4, 192, 0, 2, (byte)(i + 1)]);
        }

        var bytes = reply.ToArray();
        Assert.Equal(count, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(6)));
        return bytes;
    }
}
