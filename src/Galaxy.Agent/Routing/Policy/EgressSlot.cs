using System.Globalization;

namespace Galaxy.Agent.Routing.Policy;

/// <summary>
/// The numbers one egress owns, derived from its position in the configuration so they are stable
/// across restarts and never collide:
/// <list type="bullet">
/// <item><see cref="RouteMark"/>: the mark of the relay's and the DNS forwarder's sockets that leave
/// through this egress; <c>fwmark RouteMark lookup Table</c>, then <c>fwmark RouteMark unreachable</c>.</item>
/// <item><see cref="ProcessMark"/>: the mark of the tunnel process's own packets (OpenVPN's UDP to its
/// endpoint); the firewall lets exactly this mark reach exactly the pinned endpoint on the WAN.</item>
/// <item><see cref="Table"/>: <c>default dev TUNNEL</c> and an <c>unreachable default</c> behind it.</item>
/// </list>
/// </summary>
internal readonly record struct EgressSlot(int Index)
{
    /// <summary>How many egresses one router may have.</summary>
    public const int MaxEgresses = 64;

    /// <summary>Mark of packets handed to the relay by TPROXY; <c>fwmark</c> → <see cref="InterceptTable"/>.</summary>
    public const uint InterceptMark = 0x4700;

    /// <summary>Holds <c>local default dev lo</c>, so TPROXY-marked packets are delivered to the relay.</summary>
    public const uint InterceptTable = 4700;

    /// <summary>Priority of the intercept rule; egress rules follow.</summary>
    public const uint InterceptPriority = 4700;

    /// <summary>Mark of the agent's own bootstrap DNS lookups on the WAN (an egress's host name).</summary>
    public const uint BootstrapDnsMark = 0x4701;

    private const uint RouteMarkBase = 0x4800;
    private const uint ProcessMarkBase = 0x4900;
    private const uint TableBase = 4800;
    private const uint LookupPriorityBase = 4800;
    private const uint UnreachablePriorityBase = 4900;

    public uint RouteMark => RouteMarkBase + (uint)Index;

    public uint ProcessMark => ProcessMarkBase + (uint)Index;

    public uint Table => TableBase + (uint)Index;

    public uint LookupPriority => LookupPriorityBase + (uint)Index;

    public uint UnreachablePriority => UnreachablePriorityBase + (uint)Index;

    /// <summary>The tunnel device Galaxy names for this slot (at most 15 bytes).</summary>
    public string DeviceName => string.Create(CultureInfo.InvariantCulture, $"gxtun{Index}");

    /// <summary>True for priorities Galaxy owns: anything else in the rule list is left alone.</summary>
    public static bool IsGalaxyPriority(uint priority) =>
        priority == InterceptPriority || priority is >= LookupPriorityBase and < UnreachablePriorityBase + MaxEgresses;
}
