namespace Galaxy.Agent.Firewall;

/// <summary>
/// Kernel settings that make route injection harmless on a router that forwards nothing: no ICMP redirects
/// accepted or sent, no routes learnt from router advertisements' route information, no forwarding (the
/// relay terminates every flow; TPROXY needs no forwarding). Written to <c>/proc/sys</c> of the current
/// network namespace; a key this kernel does not have is skipped.
/// </summary>
internal static class Hardening
{
    public static IReadOnlyList<(string Key, string Value)> Settings { get; } =
    [
        ("net/ipv4/ip_forward", "0"),
        ("net/ipv4/conf/all/accept_redirects", "0"),
        ("net/ipv4/conf/default/accept_redirects", "0"),
        ("net/ipv4/conf/all/secure_redirects", "0"),
        ("net/ipv4/conf/all/send_redirects", "0"),
        ("net/ipv4/conf/default/send_redirects", "0"),
        ("net/ipv4/conf/all/accept_source_route", "0"),
        ("net/ipv6/conf/all/forwarding", "0"),
        ("net/ipv6/conf/all/accept_redirects", "0"),
        ("net/ipv6/conf/default/accept_redirects", "0"),
        ("net/ipv6/conf/all/accept_ra_rt_info_max_plen", "0"),
        ("net/ipv6/conf/default/accept_ra_rt_info_max_plen", "0"),
    ];

    /// <summary>Applies every setting; returns the ones that could not be written (missing keys are not errors).</summary>
    public static IReadOnlyList<string> Apply(string procSys = "/proc/sys")
    {
        var failed = new List<string>();
        foreach (var (key, value) in Settings)
        {
            var path = Path.Combine(procSys, key);
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                File.WriteAllText(path, value);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed.Add($"{key.Replace('/', '.')}: {e.Message}");
            }
        }

        return failed;
    }
}
