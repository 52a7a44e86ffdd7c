namespace Galaxy.Agent.Tests.Dns;

/// <summary>
/// Real DNS messages, captured once with tcpdump on a lab loopback: dig 9.18 (Debian 12) asking dnsmasq 2.90
/// (--local-ttl=300 --address=/example.test/192.0.2.80 --address=/example.test/2001:db8::80
/// --host-record=target.alias.test,192.0.2.81 --cname=www.alias.test,target.alias.test, and an auth zone
/// zone.test with --auth-ttl=600). The UDP payloads, as hex.
/// </summary>
internal static class DnsGolden
{
    /// <summary><c>dig @203.0.113.53 example.test A</c>: id 0x41b4, RD AD, EDNS udp 1232 with a cookie.</summary>
    public const string QueryExampleA =
        "41b401200001000000000001076578616d706c650474657374000001000100002904d000000000000c000a0008a8e4a2db566e3f14";

    /// <summary>dnsmasq's answer: example.test. 300 IN A 192.0.2.80 (owner compressed to 0xc00c), EDNS 1232.</summary>
    public const string ReplyExampleA =
        "41b485800001000100000001076578616d706c6504746573740000010001c00c000100010000012c0004c000025000002904d0000000000000";

    /// <summary><c>dig @203.0.113.53 www.alias.test A</c>: id 0xfb61.</summary>
    public const string QueryAliasA =
        "fb61012000010000000000010377777705616c6961730474657374000001000100002904d000000000000c000a00082569983e322663ea";

    /// <summary>
    /// www.alias.test. 300 IN CNAME target.alias.test. / target.alias.test. 300 IN A 192.0.2.81: the CNAME owner
    /// is a pointer to the question (0xc00c), the A owner a pointer into the CNAME's data (0xc02c).
    /// </summary>
    public const string ReplyAliasA =
        "fb61858000010002000000010377777705616c69617304746573740000010001c00c000500010000012c00130674617267657405616c696173047465737400c02c000100010000012c0004c000025100002904d0000000000000";

    /// <summary><c>dig @203.0.113.54 missing.zone.test A</c>: id 0x7eae.</summary>
    public const string QueryMissing =
        "7eae01200001000000000001076d697373696e67047a6f6e650474657374000001000100002904d000000000000c000a00082f05f28ae72ad185";

    /// <summary>NXDOMAIN, AA, authority: zone.test. 600 IN SOA ns.zone.test. hostmaster.zone.test. 2026112601 1200 180 1209600 600 (uncompressed).</summary>
    public const string ReplyMissingNxDomain =
        "7eae85030001000000010001076d697373696e67047a6f6e6504746573740000010001047a6f6e6504746573740000060001000002580038026e73047a6f6e650474657374000a686f73746d6173746572047a6f6e6504746573740078c40659000004b0000000b4001275000000025800002904d0000000000000";

    /// <summary><c>dig @203.0.113.53 example.test AAAA</c>: id 0x2166.</summary>
    public const string QueryExampleAaaa =
        "216601200001000000000001076578616d706c65047465737400001c000100002904d000000000000c000a0008db34368d8e313d67";

    /// <summary>example.test. 300 IN AAAA 2001:db8::80.</summary>
    public const string ReplyExampleAaaa =
        "216685800001000100000001076578616d706c65047465737400001c0001c00c001c00010000012c001020010db800000000000000000000008000002904d0000000000000";

    /// <summary><c>dig +noedns +noad @127.0.0.1 example.test A</c>: id 0xaab6, only RD, no additional record.</summary>
    public const string QueryPlainExampleA = "aab601000001000000000000076578616d706c6504746573740000010001";

    public static byte[] Bytes(string hex) => Convert.FromHexString(hex);
}
