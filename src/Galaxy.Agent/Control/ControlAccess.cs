using System.Globalization;

namespace Galaxy.Agent.Control;

/// <summary>
/// Who may use the control socket: root, and members of one group (by default <c>galaxy</c>) — by primary gid
/// or by a supplementary group. The supplementary groups are read from <c>/proc/PID/status</c> ("Groups:") of the
/// peer's pid from SO_PEERCRED; a peer whose process is gone (or whose pid was reused) is judged by what that
/// file says now, which can only be a process that connected or a newer one — documented, accepted.
/// </summary>
internal sealed class ControlAccess
{
    private readonly uint? groupId;
    private readonly Func<int, string?> readProcStatus;

    public ControlAccess(uint? groupId, Func<int, string?>? readProcStatus = null)
    {
        this.groupId = groupId;
        this.readProcStatus = readProcStatus ?? ReadProcStatus;
    }

    /// <summary>The authorised group's id, or null when the group does not exist (then only root may act).</summary>
    public uint? GroupId => groupId;

    /// <summary>Access for root plus the group named <paramref name="groupName"/>, looked up in /etc/group.</summary>
    public static ControlAccess ForGroup(string groupName, string groupFile = "/etc/group")
    {
        var text = File.Exists(groupFile) ? File.ReadAllText(groupFile) : "";
        return new ControlAccess(FindGroupId(text, groupName));
    }

    public bool Allows(PeerCredentials peer)
    {
        if (peer.Uid == 0)
        {
            return true;
        }

        if (groupId is not { } gid)
        {
            return false;
        }

        if (peer.Gid == gid)
        {
            return true;
        }

        var status = readProcStatus(peer.Pid);
        return status is not null && SupplementaryGroups(status).Contains(gid);
    }

    /// <summary>The gid of <paramref name="groupName"/> in /etc/group text (<c>name:x:gid:members</c>), or null.</summary>
    public static uint? FindGroupId(string groupFileText, string groupName)
    {
        foreach (var line in groupFileText.Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == groupName
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                return gid;
            }
        }

        return null;
    }

    /// <summary>The gids on the "Groups:" line of /proc/PID/status text (tab/space separated; empty when none).</summary>
    public static IReadOnlySet<uint> SupplementaryGroups(string procStatusText)
    {
        var groups = new HashSet<uint>();
        foreach (var line in procStatusText.Split('\n'))
        {
            if (!line.StartsWith("Groups:", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var field in line["Groups:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (uint.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
                {
                    groups.Add(gid);
                }
            }

            break;
        }

        return groups;
    }

    private static string? ReadProcStatus(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
