using System.Globalization;
using System.Text;

namespace Galaxy.Agent.Portal;

/// <summary>One router's <c>galaxy.toml</c>: fixed NIC names (eth0 WAN, eth1 LAN), its LAN subnet with DHCP, its egresses.</summary>
internal static class RouterConfigToml
{
    public static string Render(PortalSettings settings, RouterInstance router, IReadOnlyList<EgressCredential> credentials)
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"# {router.Name}: rendered by `galaxy portal render`. Local commits to this file are kept across renders\n");
        b.Append("# (git merge); change the portal settings for what every router shares. Check: galaxy check-config FILE\n\n");
        b.Append("[router]\nlan = [\"eth1\"]\nwan = \"eth0\"\n\n");
        if (!settings.BootstrapDns.IsEmpty)
        {
            b.Append("[dns]\nbootstrap = [").AppendJoin(", ", settings.BootstrapDns.Select(Quote)).Append("]\n\n");
        }

        b.Append(CultureInfo.InvariantCulture, $"[dhcp]\nenabled = true\nsubnet = {Quote(router.LanSubnet.ToString())}\n");
        foreach (var credential in credentials)
        {
            b.Append(CultureInfo.InvariantCulture, $"\n[[egress]]\nname = {Quote(credential.Name)}\ntype = {Quote(credential.Kind)}\n");
            if (credential.Profile is not null)
            {
                b.Append(CultureInfo.InvariantCulture, $"profile = {Quote(credential.Name + ".ovpn")}\n");
            }

            if (credential.Auth is not null)
            {
                b.Append(CultureInfo.InvariantCulture, $"credentials = {Quote(credential.Name + ".auth")}\n");
            }

            if (credential.Address is { } address)
            {
                b.Append(CultureInfo.InvariantCulture, $"address = {Quote(address)}\n");
            }
        }

        return b.ToString();
    }

    /// <summary>A TOML basic string.</summary>
    internal static string Quote(string value)
    {
        var b = new StringBuilder("\"");
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => b.Append("\\\""),
                '\\' => b.Append("\\\\"),
                < ' ' or '\u007f' => b.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => b.Append(c),
            };
        }

        return b.Append('"').ToString();
    }
}
