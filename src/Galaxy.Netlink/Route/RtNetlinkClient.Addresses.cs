using System.Net;

namespace Galaxy.Netlink.Route;

public sealed partial class RtNetlinkClient
{
    /// <summary><c>ip address add ADDRESS/LEN dev LINK</c> (IPv6 without duplicate address detection).</summary>
    public void AddAddress(string linkName, IPAddress address, int prefixLength) =>
        ChangeAddress(add: true, linkName, address, prefixLength);

    /// <summary><c>ip address add</c> on a link given by index.</summary>
    public void AddAddress(int linkIndex, IPAddress address, int prefixLength) =>
        ChangeAddress(add: true, linkIndex, address, prefixLength);

    /// <summary><c>ip address del ADDRESS/LEN dev LINK</c>.</summary>
    public void DeleteAddress(string linkName, IPAddress address, int prefixLength) =>
        ChangeAddress(add: false, linkName, address, prefixLength);

    /// <summary><c>ip address del</c> on a link given by index.</summary>
    public void DeleteAddress(int linkIndex, IPAddress address, int prefixLength) =>
        ChangeAddress(add: false, linkIndex, address, prefixLength);

    /// <summary>The addresses of every link (<c>ip address show</c>), of one family or both.</summary>
    public IReadOnlyList<AddressInfo> ListAddresses(IpFamily? family = null) =>
        Dump<AddressInfo>(
            family is null ? "ip address show" : $"ip {IpText.Switch(family.Value)} address show",
            (w, s) => AddressMessages.WriteDump(w, s, family),
            AddressMessages.TryParse);

    private void ChangeAddress(bool add, string linkName, IPAddress address, int prefixLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkName);
        var command = AddressCommand(add, linkName, address, prefixLength);
        var index = RequireLinkIndex(linkName, command);
        Change(command, (w, s) => AddressMessages.Write(w, s, add, index, address, prefixLength));
    }

    private void ChangeAddress(bool add, int linkIndex, IPAddress address, int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(linkIndex);
        var command = AddressCommand(add, LinkWords(linkIndex), address, prefixLength);
        Change(command, (w, s) => AddressMessages.Write(w, s, add, linkIndex, address, prefixLength));
    }

    private static string AddressCommand(bool add, string link, IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bits = IpText.AddressLength(IpText.FamilyOf(address)) * 8;
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, bits);
        return $"ip address {(add ? "add" : "del")} {address}/{prefixLength} dev {link}" +
               (add && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? " nodad" : "");
    }
}
