namespace Galaxy.Netlink.Route;

/// <summary>One change the kernel announced to a <see cref="RouteMonitor"/>.</summary>
public abstract record RouteEvent;

/// <summary>A link appeared, changed (up/down, MTU, name) or, when <paramref name="Deleted"/>, went away.</summary>
public sealed record LinkChanged(LinkInfo Link, bool Deleted) : RouteEvent;

/// <summary>An address was added or, when <paramref name="Deleted"/>, removed.</summary>
public sealed record AddressChanged(AddressInfo Address, bool Deleted) : RouteEvent;

/// <summary>A route was added/replaced or, when <paramref name="Deleted"/>, removed.</summary>
public sealed record RouteChanged(RouteInfo Route, bool Deleted) : RouteEvent;

/// <summary>A policy rule was added or, when <paramref name="Deleted"/>, removed.</summary>
public sealed record RuleChanged(RuleInfo Rule, bool Deleted) : RouteEvent;

/// <summary>
/// The kernel dropped events (ENOBUFS): the caller must resynchronise by dumping. The kernel keeps
/// dropping (without a second ENOBUFS) until the monitor has drained its queue, so dump after this
/// event rather than trusting the events that follow it right away.
/// </summary>
public sealed record EventsLost : RouteEvent;
