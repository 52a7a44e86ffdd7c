namespace Galaxy.Agent.Egress;

/// <summary>An egress that carries UDP through an association with a proxy (SOCKS5 UDP ASSOCIATE).</summary>
internal interface IUdpAssociationDialer : IEgressDialer
{
    /// <summary>Opens an association; on failure the outcome says why (the flow is then refused).</summary>
    ValueTask<(UdpAssociation? Association, DialOutcome Outcome, string? Reason)> AssociateUdpAsync(CancellationToken cancellationToken);
}
