using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Galaxy.Agent.Routing.Policy;
using Galaxy.Netlink.NfTables;

namespace Galaxy.Agent.Firewall;

/// <summary>
/// The kill switch as a pure function: (interfaces, ports, egress states) → <see cref="FirewallRuleset"/>.
/// Everything not explicitly allowed is dropped: input, forward and output have policy drop, and the LAN
/// side of prerouting ends in a drop. Read the rules below as the router's whole promise:
/// <list type="bullet">
/// <item>LAN TCP/UDP goes to the relay by TPROXY, each tproxy rule followed by a drop (tproxy falls through
/// when nothing listens: with the agent dead, LAN traffic is dropped, not routed);</item>
/// <item>LAN DNS (53, UDP and TCP, any resolver address, IPv4 or IPv6) goes to the agent's resolver the same way;
/// DNS-over-TLS (853) is refused with a reset so clients fall back to 53;</item>
/// <item>the WAN carries only DHCP, each tunnel process's marked packets to its pinned endpoints, the
/// agent's marked bootstrap lookups to the configured resolvers, and a <c>direct</c> egress if named;</item>
/// <item>a tunnel device carries only packets with its egress's route mark, and only while the egress is up;</item>
/// <item>LAN IPv6 TCP/UDP goes to the relay on [::1] the same way (DNS over IPv6 to the resolver on [::1]); it leaves only
/// through an egress that carries IPv6, as the egress tables hold no IPv6 route; nothing is ever forwarded.</item>
/// </list>
/// </summary>
internal static partial class RulesetBuilder
{
    private const byte Icmp = 1;
    private const byte IcmpV6 = 58;

    /// <summary>
    /// The static closed ruleset of <c>galaxy lockdown</c>: loopback and DHCP only. It needs no configuration,
    /// so an early boot service can apply it before the network (and before the agent) starts.
    /// </summary>
    public static FirewallRuleset Lockdown()
    {
        var rules = ImmutableArray.CreateBuilder<ChainRule>();
        rules.Add(new(FirewallRuleset.Input, Rule().IifName("lo").Accept().Build()));
        rules.Add(new(FirewallRuleset.Input, Rule().UdpSport(67).UdpDport(68).Accept().Build()));
        rules.Add(new(FirewallRuleset.Input, Rule().Counter().Drop().Build()));
        rules.Add(new(FirewallRuleset.Forward, Rule().Counter().Drop().Build()));
        rules.Add(new(FirewallRuleset.Output, Rule().OifName("lo").Accept().Build()));
        rules.Add(new(FirewallRuleset.Output, Rule().UdpSport(68).UdpDport(67).Accept().Build()));
        rules.Add(new(FirewallRuleset.Output, Rule().Counter().Drop().Build()));
        return new FirewallRuleset(rules.ToImmutable());
    }

    public static FirewallRuleset Build(FirewallInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var rules = ImmutableArray.CreateBuilder<ChainRule>();
        Prerouting(inputs, rules);
        Input(inputs, rules);
        rules.Add(new(FirewallRuleset.Forward, Rule().Counter().Drop().Build()));
        Output(inputs, rules);
        Reroute(inputs, rules);
        return new FirewallRuleset(rules.ToImmutable());
    }

    private static void Prerouting(FirewallInputs inputs, ImmutableArray<ChainRule>.Builder rules)
    {
        var relay = checked((ushort)inputs.RelayPort);
        var dns = checked((ushort)inputs.DnsPort);
        foreach (var lan in inputs.LanInterfaces)
        {
            void Add(RuleBuilder rule) => rules.Add(new(FirewallRuleset.Prerouting, rule.Build()));

            // Packets of flows the relay already holds: straight to their socket, no new tproxy lookup.
            Add(Rule().IifName(lan).L4Proto(RuleBuilder.Tcp).SocketTransparent().SetMark(EgressSlot.InterceptMark).Accept());

            // IPv6 to the router itself: neighbour discovery only (the input chain takes ICMPv6 alone). A LAN
            // host's neighbour solicitation for the router goes to a solicited-node multicast group, not to
            // a local address: accepted too (multicast is never forwarded, so it reaches the input chain only).
            Add(Rule().IifName(lan).NfProto(RuleBuilder.IPv6).L4Proto(IcmpV6).FibDaddrTypeLocal().Accept());
            Add(Rule().IifName(lan).NfProto(RuleBuilder.IPv6).L4Proto(IcmpV6).FibDaddrTypeMulticast().Accept());

            // DNS to any resolver, over IPv6 as over IPv4: answered by the agent (its resolver on [::1] and 127.0.0.1;
            // where [::1] has no listener the tproxy finds no socket and the drop after it applies).
            Add(Rule().IifName(lan).NfProto(RuleBuilder.IPv6).UdpDport(53).TproxyV6(IPAddress.IPv6Loopback, dns).SetMark(EgressSlot.InterceptMark).Accept());
            Add(Rule().IifName(lan).NfProto(RuleBuilder.IPv6).UdpDport(53).Counter().Drop());
            Add(Rule().IifName(lan).NfProto(RuleBuilder.IPv6).TcpDport(53).TproxyV6(IPAddress.IPv6Loopback, dns).SetMark(EgressSlot.InterceptMark).Accept());
            Add(Rule().IifName(lan).NfProto(RuleBuilder.IPv6).TcpDport(53).Counter().Drop());
            Add(Rule().IifName(lan).UdpDport(53).TproxyV4(IPAddress.Loopback, dns).SetMark(EgressSlot.InterceptMark).Accept());
            Add(Rule().IifName(lan).UdpDport(53).Counter().Drop());
            Add(Rule().IifName(lan).TcpDport(53).TproxyV4(IPAddress.Loopback, dns).SetMark(EgressSlot.InterceptMark).Accept());
            Add(Rule().IifName(lan).TcpDport(53).Counter().Drop());
            Add(Rule().IifName(lan).TcpDport(853).RejectTcpReset());

            // DHCP requests (broadcast, so not "local" to fib) reach the router's DHCP server, where it serves this LAN.
            if (ServesDhcp(inputs, lan))
            {
                Add(Rule().IifName(lan).UdpSport(68).UdpDport(67).Accept());
            }

            // Addressed to the router itself: the input chain decides (ICMP only).
            Add(Rule().IifName(lan).FibDaddrTypeLocal().Accept());

            // Everything else: to the relay (127.0.0.1 or [::1]), or dropped. An IPv6 flow leaves only through an
            // egress that carries IPv6 (a proxy); a tunnel's table has no IPv6 route, so its dial fails and the
            // client is reset.
            Add(Rule().IifName(lan).NfProto(RuleBuilder.IPv6).L4Proto(RuleBuilder.Tcp).TproxyV6(IPAddress.IPv6Loopback, relay).SetMark(EgressSlot.InterceptMark).Accept());
            Add(Rule().IifName(lan).NfProto(RuleBuilder.IPv6).L4Proto(RuleBuilder.Tcp).Counter().Drop());
            Add(Rule().IifName(lan).L4Proto(RuleBuilder.Tcp).TproxyV4(IPAddress.Loopback, relay).SetMark(EgressSlot.InterceptMark).Accept());
            Add(Rule().IifName(lan).L4Proto(RuleBuilder.Tcp).Counter().Drop());
            Add(Rule().IifName(lan).NfProto(RuleBuilder.IPv6).L4Proto(RuleBuilder.Udp).TproxyV6(IPAddress.IPv6Loopback, relay).SetMark(EgressSlot.InterceptMark).Accept());
            Add(Rule().IifName(lan).NfProto(RuleBuilder.IPv6).L4Proto(RuleBuilder.Udp).Counter().Drop());
            Add(Rule().IifName(lan).L4Proto(RuleBuilder.Udp).TproxyV4(IPAddress.Loopback, relay).SetMark(EgressSlot.InterceptMark).Accept());
            Add(Rule().IifName(lan).L4Proto(RuleBuilder.Udp).Counter().Drop());
            Add(Rule().IifName(lan).Counter().Drop());
        }
    }

    private static void Input(FirewallInputs inputs, ImmutableArray<ChainRule>.Builder rules)
    {
        void Add(RuleBuilder rule) => rules.Add(new(FirewallRuleset.Input, rule.Build()));
        Add(Rule().IifName("lo").Accept());
        foreach (var lan in inputs.LanInterfaces)
        {
            Add(Rule().IifName(lan).Mark(EgressSlot.InterceptMark).Accept());
            Add(Rule().IifName(lan).L4Proto(Icmp).Accept());
            Add(Rule().IifName(lan).L4Proto(IcmpV6).Accept());
            if (ServesDhcp(inputs, lan))
            {
                // The replies leave by the LAN accept of the output chain (or udhcpd's raw socket, which nftables does not see).
                Add(Rule().IifName(lan).UdpSport(68).UdpDport(67).Accept());
            }
        }

        // Replies: to OpenVPN from its endpoint, to relayed flows from the tunnels, to DHCP and bootstrap DNS.
        Add(Rule().CtState(NfCtState.Established | NfCtState.Related).Accept());
        Add(Rule().IifName(inputs.WanInterface).UdpSport(67).UdpDport(68).Accept());
        Add(Rule().Counter().Drop());
    }

    private static void Output(FirewallInputs inputs, ImmutableArray<ChainRule>.Builder rules)
    {
        void Add(RuleBuilder rule) => rules.Add(new(FirewallRuleset.Output, rule.Build()));
        Add(Rule().OifName("lo").Accept());
        foreach (var lan in inputs.LanInterfaces)
        {
            Add(Rule().OifName(lan).Accept());
        }

        foreach (var egress in inputs.Egresses)
        {
            if (egress.UpDevice is { } device)
            {
                Add(Rule().OifName(device).Mark(egress.Slot.RouteMark).Accept());
            }
        }

        var wan = inputs.WanInterface;
        Add(Rule().OifName(wan).UdpSport(68).UdpDport(67).Accept());
        foreach (var egress in inputs.Egresses)
        {
            foreach (var endpoint in egress.Endpoints)
            {
                Add(ToEndpoint(Rule().OifName(wan).Mark(egress.Slot.ProcessMark), endpoint).Accept());
            }

            if (egress.AnyWan)
            {
                Add(Rule().OifName(wan).Mark(egress.Slot.ProcessMark).Accept());
            }
        }

        foreach (var resolver in inputs.BootstrapResolvers)
        {
            Add(ToEndpoint(Rule().OifName(wan).Mark(EgressSlot.BootstrapDnsMark), resolver).Accept());
        }

        ProcessGroups(inputs, Add);

        Add(Rule().Counter().Drop());
    }

    private static RuleBuilder ToEndpoint(RuleBuilder rule, WanEndpoint endpoint)
    {
        rule = endpoint.Address.AddressFamily == AddressFamily.InterNetwork
            ? rule.DaddrV4(endpoint.Address)
            : rule.DaddrV6(endpoint.Address);
        if (endpoint.Port == WanEndpoint.AnyPort)
        {
            return rule.L4Proto(endpoint.Tcp ? RuleBuilder.Tcp : RuleBuilder.Udp);
        }

        var port = checked((ushort)endpoint.Port);
        return endpoint.Tcp ? rule.TcpDport(port) : rule.UdpDport(port);
    }

    private static bool ServesDhcp(FirewallInputs inputs, string lan) =>
        !inputs.DhcpInterfaces.IsDefault && inputs.DhcpInterfaces.Contains(lan);

    private static RuleBuilder Rule() => new(NfFamily.Inet);
}
