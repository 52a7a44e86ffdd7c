using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Galaxy.Netlink.NfTables;

/// <summary>
/// Builds a rule at nft's level and emits exactly the expressions nft 1.0.6 generates for it, including
/// the implicit dependencies: <c>meta nfproto</c> before an <c>ip</c>/<c>ip6</c> match in an inet table,
/// <c>meta l4proto</c> before a <c>tcp</c>/<c>udp</c> port, the mask idioms for <c>ct state</c> and marks.
/// Each call appends; <see cref="Build"/> gives the immutable rule.
/// <code>
/// new RuleBuilder(NfFamily.Inet).IifName("lan0").L4ProtoIn(6, 17).DaddrV4NotIn("bypass4")
///     .TproxyV4(IPAddress.Loopback, 15001).SetMark(1).Accept()
/// </code>
/// </summary>
public sealed partial class RuleBuilder
{
    private readonly List<NfExpression> _expressions = [];
    private readonly List<string> _text = [];
    private byte? _networkProtocol;   // nfproto already matched (2 or 10)
    private byte? _transportProtocol; // l4proto already matched
    private string? _comment;
    private (byte Protocol, uint Offset, ushort Port, int Index)? _lastPortMatch; // an equality port match nft may merge with the next

    public RuleBuilder(NfFamily family)
    {
        if (family is not (NfFamily.Inet or NfFamily.IPv4 or NfFamily.IPv6))
        {
            throw new ArgumentException($"the rule builder supports inet, ip and ip6 tables, not {NfNames.Family(family)}", nameof(family));
        }

        Family = family;
    }

    public NfFamily Family { get; }

    /// <summary>The rule: expressions, comment and nft text.</summary>
    public NfRule Build()
    {
        if (_expressions.Count == 0)
        {
            throw new InvalidOperationException("the rule has no expression");
        }

        return new NfRule(_expressions.ToArray(), _comment, string.Join(' ', _text));
    }

    public override string ToString() => string.Join(' ', _text);

    /// <summary>Appends a raw expression (no dependency is added).</summary>
    public RuleBuilder Expression(NfExpression expression, string? text = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        _expressions.Add(expression);
        _text.Add(text ?? "[ " + expression + " ]");
        return this;
    }

    /// <summary><c>comment "…"</c> (rule USERDATA).</summary>
    public RuleBuilder Comment(string comment)
    {
        ArgumentException.ThrowIfNullOrEmpty(comment);
        NfMessages.CommentUserData(comment);
        _comment = comment;
        return this;
    }

    // ---- interfaces ----

    /// <summary><c>iifname "lan0"</c>, or a wildcard <c>"lan*"</c> (prefix bytes only); <paramref name="not"/> gives <c>!=</c>.</summary>
    public RuleBuilder IifName(string name, bool not = false) => MetaCompare(NfMetaKey.InputInterfaceName, NfKey.InterfaceName(name), not, $"iifname {Op(not)}\"{name}\"");

    /// <summary><c>oifname "wan0"</c> or <c>"wan*"</c>.</summary>
    public RuleBuilder OifName(string name, bool not = false) => MetaCompare(NfMetaKey.OutputInterfaceName, NfKey.InterfaceName(name), not, $"oifname {Op(not)}\"{name}\"");

    /// <summary><c>iif INDEX</c> (host-order ifindex).</summary>
    public RuleBuilder Iif(int index) => MetaCompare(NfMetaKey.InputInterface, NfKey.HostU32((uint)index), false, Inv($"iif {index}"));

    /// <summary><c>oif INDEX</c> (host-order ifindex).</summary>
    public RuleBuilder Oif(int index) => MetaCompare(NfMetaKey.OutputInterface, NfKey.HostU32((uint)index), false, Inv($"oif {index}"));

    // ---- meta ----

    /// <summary><c>meta skuid UID</c> (host order).</summary>
    public RuleBuilder SkUid(uint uid, bool not = false) => MetaCompare(NfMetaKey.SocketUid, NfKey.HostU32(uid), not, Inv($"meta skuid {Op(not)}{uid}"));

    /// <summary><c>meta skgid GID</c> (host order).</summary>
    public RuleBuilder SkGid(uint gid, bool not = false) => MetaCompare(NfMetaKey.SocketGid, NfKey.HostU32(gid), not, Inv($"meta skgid {Op(not)}{gid}"));

    /// <summary>
    /// <c>meta mark VALUE</c>, or with a mask <c>meta mark &amp; MASK == VALUE</c> (meta, bitwise, cmp; host order).
    /// </summary>
    public RuleBuilder Mark(uint value, uint? mask = null, bool not = false)
    {
        _expressions.Add(MetaExpression.Load(NfMetaKey.Mark));
        if (mask is { } m)
        {
            _expressions.Add(new BitwiseExpression(1, 1, NfKey.HostU32(m), new byte[4]));
            _text.Add(Inv($"meta mark & 0x{m:x8} {(not ? "!=" : "==")} 0x{value:x8}"));
        }
        else
        {
            _text.Add(Inv($"meta mark {Op(not)}0x{value:x8}"));
        }

        _expressions.Add(new CmpExpression(1, not ? NfCmpOp.NotEqual : NfCmpOp.Equal, NfKey.HostU32(value)));
        return this;
    }

    /// <summary><c>meta mark set VALUE</c>: immediate, meta set.</summary>
    public RuleBuilder SetMark(uint value)
    {
        _expressions.Add(ImmediateExpression.Value(1, NfKey.HostU32(value)));
        _expressions.Add(MetaExpression.Set(NfMetaKey.Mark));
        _text.Add(Inv($"meta mark set 0x{value:x}"));
        return this;
    }

    /// <summary><c>meta mark set meta mark | BITS</c>: meta load, bitwise (mask ~BITS, xor BITS), meta set.</summary>
    public RuleBuilder OrMark(uint bits)
    {
        _expressions.Add(MetaExpression.Load(NfMetaKey.Mark));
        _expressions.Add(new BitwiseExpression(1, 1, NfKey.HostU32(~bits), NfKey.HostU32(bits)));
        _expressions.Add(MetaExpression.Set(NfMetaKey.Mark));
        _text.Add(Inv($"meta mark set meta mark | 0x{bits:x8}"));
        return this;
    }

    // ---- conntrack, socket, fib ----

    /// <summary><c>ct state established,related</c>: ct load state, bitwise mask, cmp neq 0 (host order).</summary>
    public RuleBuilder CtState(NfCtState states)
    {
        if (states == NfCtState.None)
        {
            throw new ArgumentException("name at least one conntrack state", nameof(states));
        }

        _expressions.Add(new CtExpression(NfCtKey.State));
        _expressions.Add(new BitwiseExpression(1, 1, NfKey.HostU32((uint)states), new byte[4]));
        _expressions.Add(new CmpExpression(1, NfCmpOp.NotEqual, new byte[4]));
        _text.Add("ct state " + CtStateText(states));
        return this;
    }

    /// <summary><c>socket transparent 1</c>: the result is ONE byte.</summary>
    public RuleBuilder SocketTransparent()
    {
        _expressions.Add(new SocketExpression(NfSocketKey.Transparent));
        _expressions.Add(new CmpExpression(1, NfCmpOp.Equal, new byte[] { 1 }));
        _text.Add("socket transparent 1");
        return this;
    }

    /// <summary><c>fib saddr type local</c>: fib flags SADDR result ADDRTYPE, cmp RTN_LOCAL (2, host order).</summary>
    public RuleBuilder FibSaddrTypeLocal(bool not = false)
    {
        _expressions.Add(new FibExpression(NfFibInputs.SourceAddress, NfFibResult.AddressType));
        _expressions.Add(new CmpExpression(1, not ? NfCmpOp.NotEqual : NfCmpOp.Equal, NfKey.HostU32(2)));
        _text.Add($"fib saddr type {Op(not)}local");
        return this;
    }

    /// <summary><c>fib daddr type local</c>.</summary>
    public RuleBuilder FibDaddrTypeLocal(bool not = false)
    {
        _expressions.Add(new FibExpression(NfFibInputs.DestinationAddress, NfFibResult.AddressType));
        _expressions.Add(new CmpExpression(1, not ? NfCmpOp.NotEqual : NfCmpOp.Equal, NfKey.HostU32(2)));
        _text.Add($"fib daddr type {Op(not)}local");
        return this;
    }

    /// <summary><c>fib daddr type multicast</c>: cmp RTN_MULTICAST (5, host order).</summary>
    public RuleBuilder FibDaddrTypeMulticast()
    {
        _expressions.Add(new FibExpression(NfFibInputs.DestinationAddress, NfFibResult.AddressType));
        _expressions.Add(new CmpExpression(1, NfCmpOp.Equal, NfKey.HostU32(5)));
        _text.Add("fib daddr type multicast");
        return this;
    }

    // ---- statements and verdicts ----

    /// <summary><c>counter</c>.</summary>
    public RuleBuilder Counter() => Statement(new CounterExpression(), "counter");

    /// <summary><c>masquerade</c> (nat postrouting).</summary>
    public RuleBuilder Masquerade() => Statement(new MasqueradeExpression(), "masquerade");

    /// <summary><c>reject with tcp reset</c>.</summary>
    public RuleBuilder RejectTcpReset() => Statement(new RejectExpression(NfRejectType.TcpReset, 0), "reject with tcp reset");

    /// <summary><c>reject with icmpx admin-prohibited</c>.</summary>
    public RuleBuilder RejectAdminProhibited() =>
        Statement(new RejectExpression(NfRejectType.IcmpxUnreachable, RejectExpression.IcmpxAdminProhibited), "reject with icmpx admin-prohibited");

    /// <summary><c>reject with icmpx port-unreachable</c>.</summary>
    public RuleBuilder RejectPortUnreachable() =>
        Statement(new RejectExpression(NfRejectType.IcmpxUnreachable, RejectExpression.IcmpxPortUnreachable), "reject with icmpx port-unreachable");

    public RuleBuilder Accept() => Verdict(NfVerdict.Accept);

    public RuleBuilder Drop() => Verdict(NfVerdict.Drop);

    public RuleBuilder Return() => Verdict(NfVerdict.Return);

    public RuleBuilder Continue() => Verdict(NfVerdict.Continue);

    public RuleBuilder Jump(string chain) => Verdict(NfVerdict.Jump(chain));

    public RuleBuilder Goto(string chain) => Verdict(NfVerdict.Goto(chain));

    public RuleBuilder Verdict(NfVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return Statement(ImmediateExpression.Of(verdict), verdict.ToString());
    }

    private RuleBuilder Statement(NfExpression expression, string text)
    {
        _expressions.Add(expression);
        _text.Add(text);
        return this;
    }

    private RuleBuilder MetaCompare(NfMetaKey key, byte[] value, bool not, string text)
    {
        _expressions.Add(MetaExpression.Load(key));
        _expressions.Add(new CmpExpression(1, not ? NfCmpOp.NotEqual : NfCmpOp.Equal, value));
        _text.Add(text);
        return this;
    }

    private static string Op(bool not) => not ? "!= " : "";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string CtStateText(NfCtState states)
    {
        var names = new List<string>();
        foreach (var (bit, name) in new[] { (NfCtState.Invalid, "invalid"), (NfCtState.Established, "established"), (NfCtState.Related, "related"), (NfCtState.New, "new"), (NfCtState.Untracked, "untracked") })
        {
            if ((states & bit) != 0)
            {
                names.Add(name);
            }
        }

        return string.Join(',', names);
    }

    private static string ProtocolName(byte protocol) => protocol switch
    {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "ipv6-icmp",
        _ => protocol.ToString(CultureInfo.InvariantCulture),
    };

    private static AddressFamily Require(IPAddress address, AddressFamily family, string what)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != family)
        {
            throw new ArgumentException($"{what} needs an {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address, not {address}");
        }

        return family;
    }
}
