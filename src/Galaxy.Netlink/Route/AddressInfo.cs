using System.Net;

namespace Galaxy.Netlink.Route;

/// <summary>An interface address (<c>198.51.100.1/24</c> on link 5).</summary>
/// <param name="LinkIndex">The interface index (ifa_index).</param>
/// <param name="Address">IFA_LOCAL (or IFA_ADDRESS when there is no local address).</param>
/// <param name="PrefixLength">ifa_prefixlen.</param>
public sealed record AddressInfo(int LinkIndex, IPAddress Address, int PrefixLength)
{
    public IpFamily Family => IpText.FamilyOf(Address);

    public override string ToString() => $"{Address}/{PrefixLength} on link {LinkIndex}";
}
