namespace Galaxy.Agent.Portal;

/// <summary>
/// The config drive: an ISO 9660 image labelled <see cref="InstanceRenderer.ConfigDriveLabel"/> (Joliet and Rock Ridge
/// names) holding the instance's <c>etc/galaxy/</c> — its galaxy.toml and credential files — at the image's root. The
/// router's <c>galaxy-config</c> boot service mounts it by label and copies it into /etc/galaxy (tmpfs).
/// Made with <c>xorriso -as mkisofs</c>, or <c>genisoimage</c> where xorriso is missing.
/// </summary>
internal static class ConfigDrive
{
    public static void Build(string sourceDirectory, string isoPath)
    {
        if (!Directory.Exists(sourceDirectory))
        {
            throw new PortalException($"making the config drive: {sourceDirectory} does not exist");
        }

        // -r: Rock Ridge with ownership root and read-only modes (the boot service sets the real modes in tmpfs).
        string[] options = ["-quiet", "-V", InstanceRenderer.ConfigDriveLabel, "-J", "-r", "-o", isoPath, sourceDirectory];
        var temporary = isoPath + ".new";
        options[^2] = temporary;
        if (ToolRunner.Find("xorriso") is { } xorriso)
        {
            ToolRunner.RunChecked(xorriso, ["-as", "mkisofs", .. options], $"making the config drive {isoPath}");
        }
        else if (ToolRunner.Find("genisoimage") is { } genisoimage)
        {
            ToolRunner.RunChecked(genisoimage, options, $"making the config drive {isoPath}");
        }
        else
        {
            throw new PortalException("making the config drive needs xorriso (Debian package xorriso) or genisoimage: neither is on PATH");
        }

        File.Move(temporary, isoPath, overwrite: true);
    }
}
