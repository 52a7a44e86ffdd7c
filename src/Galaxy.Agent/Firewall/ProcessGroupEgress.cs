using System.Collections.Immutable;

namespace Galaxy.Agent.Firewall;

/// <summary>
/// An egress whose processes the firewall knows by their numeric group (<c>meta skgid</c>), not by a mark:
/// the ssh clients of an SSH egress, which cannot mark their own socket.
/// </summary>
/// <param name="Name">For logs.</param>
/// <param name="Gid">The group the processes run with (setpriv <c>--regid</c>); no <c>/etc/group</c> entry needed.</param>
/// <param name="Endpoints">Where they may go on the WAN (the pinned server); empty when they ride on another egress.</param>
/// <param name="ViaDevice">
/// The tunnel device of the egress they ride on, only while that egress is up; null otherwise (then the
/// processes' packets meet no accept and are dropped: fail closed).
/// </param>
/// <param name="ViaRouteMark">
/// The route mark of the egress they ride on (whether it is up or not): the reroute chain sets it on the
/// group's packets, so policy routing sends them into that egress's table (its tunnel, or unreachable).
/// </param>
internal sealed record ProcessGroupEgress(string Name, uint Gid, ImmutableArray<WanEndpoint> Endpoints, string? ViaDevice, uint? ViaRouteMark = null);
