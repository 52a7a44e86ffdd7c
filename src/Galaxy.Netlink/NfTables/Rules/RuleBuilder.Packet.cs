using System.Net;
using System.Net.Sockets;

namespace Galaxy.Netlink.NfTables;

public sealed partial class RuleBuilder
{
    public const byte Tcp = 6;
    public const byte Udp = 17;

    // ---- layer 4 protocol ----

    /// <summary>IPv4 for <see cref="NfProto"/> (NFPROTO_IPV4).</summary>
    public const byte IPv4 = 2;

    /// <summary>IPv6 for <see cref="NfProto"/> (NFPROTO_IPV6).</summary>
    public const byte IPv6 = 10;

    /// <summary><c>meta nfproto ipv4|ipv6</c>: in an inet table, which family the packet is (one byte).</summary>
    public RuleBuilder NfProto(byte family, bool not = false) =>
        MetaCompare(NfMetaKey.NetfilterProtocol, [family], not, $"meta nfproto {Op(not)}{(family == IPv4 ? "ipv4" : family == IPv6 ? "ipv6" : Inv($"{family}"))}");

    /// <summary><c>meta l4proto tcp</c>: meta load l4proto, cmp 1 byte.</summary>
    public RuleBuilder L4Proto(byte protocol, bool not = false)
    {
        MetaCompare(NfMetaKey.L4Protocol, [protocol], not, $"meta l4proto {Op(not)}{ProtocolName(protocol)}");
        if (!not)
        {
            _transportProtocol = protocol;
        }

        return this;
    }

    /// <summary>
    /// <c>meta l4proto { tcp, udp }</c>: meta load l4proto, lookup in an anonymous set the batch adds before the
    /// rule (a single protocol is a plain compare, as nft does).
    /// </summary>
    public RuleBuilder L4ProtoIn(params byte[] protocols)
    {
        ArgumentNullException.ThrowIfNull(protocols);
        var distinct = protocols.Distinct().Order().ToArray();
        if (distinct.Length == 0)
        {
            throw new ArgumentException("name at least one protocol", nameof(protocols));
        }

        if (distinct.Length == 1)
        {
            return L4Proto(distinct[0]);
        }

        var text = string.Join(", ", distinct.Select(ProtocolName));
        var set = new NfAnonymousSet(NfSetKeyType.InetProtocol, distinct.Select(p => (ReadOnlyMemory<byte>)new[] { p }).ToArray())
        {
            UserData = NfAnonymousSet.MetaL4ProtoUserData,
            Text = text,
        };
        _expressions.Add(MetaExpression.Load(NfMetaKey.L4Protocol));
        _expressions.Add(new LookupExpression("__set%d") { AnonymousSet = set });
        _text.Add($"meta l4proto {{ {text} }}");
        _transportProtocol = null;
        return this;
    }

    /// <summary><c>meta l4proto @set</c> against a set (e.g. one from <see cref="NfBatch.AddAnonymousSet"/>).</summary>
    public RuleBuilder L4ProtoIn(NfSetReference set, bool not = false)
    {
        ArgumentNullException.ThrowIfNull(set);
        _expressions.Add(MetaExpression.Load(NfMetaKey.L4Protocol));
        _expressions.Add(new LookupExpression(set.Name, set.Id, 1, not));
        _text.Add($"meta l4proto {Op(not)}@{set.Name}");
        return this;
    }

    // ---- ports ----

    /// <summary><c>tcp dport 443</c>: l4proto == 6 (unless already matched), payload transport+2 len 2, cmp big-endian.</summary>
    public RuleBuilder TcpDport(ushort port, bool not = false) => PortCompare(Tcp, 2, port, not, "tcp dport");

    public RuleBuilder TcpSport(ushort port, bool not = false) => PortCompare(Tcp, 0, port, not, "tcp sport");

    public RuleBuilder UdpDport(ushort port, bool not = false) => PortCompare(Udp, 2, port, not, "udp dport");

    public RuleBuilder UdpSport(ushort port, bool not = false) => PortCompare(Udp, 0, port, not, "udp sport");

    /// <summary><c>tcp dport { 80, 443 }</c>: l4proto dependency, payload, lookup in an anonymous inet_service set.</summary>
    public RuleBuilder TcpDportIn(params ushort[] ports) => PortSet(Tcp, 2, ports, "tcp dport");

    public RuleBuilder TcpSportIn(params ushort[] ports) => PortSet(Tcp, 0, ports, "tcp sport");

    public RuleBuilder UdpDportIn(params ushort[] ports) => PortSet(Udp, 2, ports, "udp dport");

    public RuleBuilder UdpSportIn(params ushort[] ports) => PortSet(Udp, 0, ports, "udp sport");

    private RuleBuilder PortCompare(byte protocol, uint offset, ushort port, bool not, string what)
    {
        TransportDependency(protocol);
        _text.Add(Inv($"{what} {Op(not)}{port}"));
        if (!not && _lastPortMatch is { } last && last.Protocol == protocol && last.Offset != offset && last.Index == _expressions.Count - 2)
        {
            // nft 1.0.6 merges "sport == a" and "dport == b" of one protocol, in either order, into one
            // 4-byte load at transport+0 (measured: "tcp dport 443 tcp sport 1" → 4b @ +0 == 0001 01bb).
            var (sport, dport) = offset == 2 ? (last.Port, port) : (port, last.Port);
            _expressions.RemoveRange(last.Index, 2);
            _expressions.Add(new PayloadExpression(NfPayloadBase.Transport, 0, 4));
            _expressions.Add(new CmpExpression(1, NfCmpOp.Equal, NfKey.Port(sport).Concat(NfKey.Port(dport)).ToArray()));
            _lastPortMatch = null;
            return this;
        }

        _expressions.Add(new PayloadExpression(NfPayloadBase.Transport, offset, 2));
        _expressions.Add(new CmpExpression(1, not ? NfCmpOp.NotEqual : NfCmpOp.Equal, NfKey.Port(port)));
        _lastPortMatch = not ? null : (protocol, offset, port, _expressions.Count - 2);
        return this;
    }

    private RuleBuilder PortSet(byte protocol, uint offset, ushort[] ports, string what)
    {
        ArgumentNullException.ThrowIfNull(ports);
        var distinct = ports.Distinct().Order().ToArray();
        if (distinct.Length == 0)
        {
            throw new ArgumentException("name at least one port", nameof(ports));
        }

        if (distinct.Length == 1)
        {
            return PortCompare(protocol, offset, distinct[0], false, what);
        }

        TransportDependency(protocol);
        var text = string.Join(", ", distinct);
        var set = new NfAnonymousSet(NfSetKeyType.InetService, distinct.Select(p => (ReadOnlyMemory<byte>)NfKey.Port(p)).ToArray())
        {
            Text = text,
            UserData = NfAnonymousSet.PortUserData(protocol, destination: offset == 2),
        };
        _expressions.Add(new PayloadExpression(NfPayloadBase.Transport, offset, 2));
        _expressions.Add(new LookupExpression("__set%d") { AnonymousSet = set });
        _text.Add($"{what} {{ {text} }}");
        return this;
    }

    private void TransportDependency(byte protocol)
    {
        if (_transportProtocol == protocol)
        {
            return;
        }

        _expressions.Add(MetaExpression.Load(NfMetaKey.L4Protocol));
        _expressions.Add(new CmpExpression(1, NfCmpOp.Equal, new[] { protocol }));
        _transportProtocol = protocol;
    }

    // ---- addresses ----

    /// <summary><c>ip saddr 10.0.0.0/8</c> (or a single address).</summary>
    public RuleBuilder SaddrV4(IPNetwork prefix, bool not = false) => AddressCompare(AddressFamily.InterNetwork, 12, prefix, not, "ip saddr");

    /// <summary><c>ip daddr 10.0.0.0/8</c>.</summary>
    public RuleBuilder DaddrV4(IPNetwork prefix, bool not = false) => AddressCompare(AddressFamily.InterNetwork, 16, prefix, not, "ip daddr");

    public RuleBuilder SaddrV6(IPNetwork prefix, bool not = false) => AddressCompare(AddressFamily.InterNetworkV6, 8, prefix, not, "ip6 saddr");

    public RuleBuilder DaddrV6(IPNetwork prefix, bool not = false) => AddressCompare(AddressFamily.InterNetworkV6, 24, prefix, not, "ip6 daddr");

    public RuleBuilder SaddrV4(IPAddress address, bool not = false) => SaddrV4(new IPNetwork(address, 32), not);

    public RuleBuilder DaddrV4(IPAddress address, bool not = false) => DaddrV4(new IPNetwork(address, 32), not);

    public RuleBuilder SaddrV6(IPAddress address, bool not = false) => SaddrV6(new IPNetwork(address, 128), not);

    public RuleBuilder DaddrV6(IPAddress address, bool not = false) => DaddrV6(new IPNetwork(address, 128), not);

    /// <summary><c>ip saddr @set</c> (named set).</summary>
    public RuleBuilder SaddrV4In(string set) => AddressLookup(AddressFamily.InterNetwork, 12, set, null, false, "ip saddr");

    public RuleBuilder SaddrV4NotIn(string set) => AddressLookup(AddressFamily.InterNetwork, 12, set, null, true, "ip saddr");

    public RuleBuilder DaddrV4In(string set) => AddressLookup(AddressFamily.InterNetwork, 16, set, null, false, "ip daddr");

    /// <summary><c>ip daddr != @bypass4</c>: nfproto dependency, payload network+16 len 4, inverted lookup.</summary>
    public RuleBuilder DaddrV4NotIn(string set) => AddressLookup(AddressFamily.InterNetwork, 16, set, null, true, "ip daddr");

    public RuleBuilder SaddrV6In(string set) => AddressLookup(AddressFamily.InterNetworkV6, 8, set, null, false, "ip6 saddr");

    public RuleBuilder SaddrV6NotIn(string set) => AddressLookup(AddressFamily.InterNetworkV6, 8, set, null, true, "ip6 saddr");

    public RuleBuilder DaddrV6In(string set) => AddressLookup(AddressFamily.InterNetworkV6, 24, set, null, false, "ip6 daddr");

    public RuleBuilder DaddrV6NotIn(string set) => AddressLookup(AddressFamily.InterNetworkV6, 24, set, null, true, "ip6 daddr");

    public RuleBuilder DaddrV4In(NfSetReference set, bool not = false) => AddressLookup(AddressFamily.InterNetwork, 16, SetName(set), set.Id, not, "ip daddr");

    public RuleBuilder SaddrV4In(NfSetReference set, bool not = false) => AddressLookup(AddressFamily.InterNetwork, 12, SetName(set), set.Id, not, "ip saddr");

    public RuleBuilder DaddrV6In(NfSetReference set, bool not = false) => AddressLookup(AddressFamily.InterNetworkV6, 24, SetName(set), set.Id, not, "ip6 daddr");

    public RuleBuilder SaddrV6In(NfSetReference set, bool not = false) => AddressLookup(AddressFamily.InterNetworkV6, 8, SetName(set), set.Id, not, "ip6 saddr");

    private static string SetName(NfSetReference set)
    {
        ArgumentNullException.ThrowIfNull(set);
        return set.Name;
    }

    private RuleBuilder AddressLookup(AddressFamily family, uint offset, string set, uint? id, bool not, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(set);
        NetworkDependency(family);
        _expressions.Add(new PayloadExpression(NfPayloadBase.Network, offset, family == AddressFamily.InterNetwork ? 4u : 16u));
        _expressions.Add(new LookupExpression(set, id, 1, not));
        _text.Add($"{what} {Op(not)}@{set}");
        return this;
    }

    /// <summary>
    /// An address or prefix compare as nft 1.0.6 emits it: a prefix on a byte boundary loads only its bytes
    /// (<c>10.0.0.0/8</c> → payload 1 byte, cmp 0a); otherwise the whole address, a bitwise mask, a cmp.
    /// </summary>
    private RuleBuilder AddressCompare(AddressFamily family, uint offset, IPNetwork prefix, bool not, string what)
    {
        Require(prefix.BaseAddress, family, what);
        if (prefix.PrefixLength == 0)
        {
            throw new ArgumentException($"{what} {prefix} matches every address; leave the match out", nameof(prefix));
        }

        NetworkDependency(family);
        var bytes = prefix.BaseAddress.GetAddressBytes();
        var op = not ? NfCmpOp.NotEqual : NfCmpOp.Equal;
        if (prefix.PrefixLength % 8 == 0)
        {
            var length = prefix.PrefixLength / 8;
            _expressions.Add(new PayloadExpression(NfPayloadBase.Network, offset, (uint)length));
            _expressions.Add(new CmpExpression(1, op, bytes.AsSpan(0, length).ToArray()));
        }
        else
        {
            var mask = new byte[bytes.Length];
            for (var bit = 0; bit < prefix.PrefixLength; bit++)
            {
                mask[bit / 8] |= (byte)(0x80 >> (bit % 8));
            }

            _expressions.Add(new PayloadExpression(NfPayloadBase.Network, offset, (uint)bytes.Length));
            _expressions.Add(new BitwiseExpression(1, 1, mask, new byte[bytes.Length]));
            _expressions.Add(new CmpExpression(1, op, bytes));
        }

        var full = prefix.PrefixLength == bytes.Length * 8;
        _text.Add($"{what} {Op(not)}{(full ? prefix.BaseAddress.ToString() : prefix.ToString())}");
        return this;
    }

    private void NetworkDependency(AddressFamily family)
    {
        var nfproto = family == AddressFamily.InterNetwork ? (byte)NfFamily.IPv4 : (byte)NfFamily.IPv6;
        if (Family != NfFamily.Inet)
        {
            if ((byte)Family != nfproto)
            {
                throw new InvalidOperationException($"an {NfNames.Family(Family)} table cannot match {(nfproto == 2 ? "IPv4" : "IPv6")} addresses");
            }

            return;
        }

        if (_networkProtocol == nfproto)
        {
            return;
        }

        _expressions.Add(MetaExpression.Load(NfMetaKey.NetfilterProtocol));
        _expressions.Add(new CmpExpression(1, NfCmpOp.Equal, new[] { nfproto }));
        _networkProtocol = nfproto;
    }

    // ---- tproxy ----

    /// <summary>
    /// <c>tproxy ip to ADDRESS:PORT</c>: immediate reg 1 address, immediate reg 2 port (2 bytes big-endian),
    /// tproxy family ip. Prerouting only. Follow it with a verdict: tproxy does not drop on its own.
    /// </summary>
    public RuleBuilder TproxyV4(IPAddress address, ushort port) => Tproxy(NfTproxyFamily.IPv4, address, port);

    /// <summary><c>tproxy ip6 to [ADDRESS]:PORT</c>.</summary>
    public RuleBuilder TproxyV6(IPAddress address, ushort port) => Tproxy(NfTproxyFamily.IPv6, address, port);

    /// <summary><c>tproxy to :PORT</c> (port only, family 0): immediate reg 1 port.</summary>
    public RuleBuilder TproxyPort(ushort port)
    {
        _expressions.Add(ImmediateExpression.Value(1, NfKey.Port(port)));
        _expressions.Add(new TproxyExpression(NfTproxyFamily.PortOnly, null, 1));
        _text.Add(Inv($"tproxy to :{port}"));
        return this;
    }

    private RuleBuilder Tproxy(NfTproxyFamily family, IPAddress address, ushort port)
    {
        var addressFamily = family == NfTproxyFamily.IPv4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        Require(address, addressFamily, "tproxy");
        if (Family != NfFamily.Inet && (byte)Family != (byte)family)
        {
            throw new InvalidOperationException($"an {NfNames.Family(Family)} table cannot tproxy to {address}");
        }

        _expressions.Add(ImmediateExpression.Value(1, address.GetAddressBytes()));
        _expressions.Add(ImmediateExpression.Value(2, NfKey.Port(port)));
        _expressions.Add(new TproxyExpression(family, 1, 2));
        _text.Add(family == NfTproxyFamily.IPv4 ? Inv($"tproxy ip to {address}:{port}") : Inv($"tproxy ip6 to [{address}]:{port}"));
        return this;
    }
}
