namespace Galaxy.Agent.Portal;

/// <summary>
/// The instance's only writable disk: a fresh qcow2 whose backing file is the read-only template, made anew on every
/// <c>portal up</c> (<c>qemu-img create -f qcow2 -b TEMPLATE -F qcow2 OVERLAY</c>), so nothing written in the VM
/// survives a restart.
/// </summary>
internal static class Overlay
{
    public static void Recreate(string template, string overlay)
    {
        if (!File.Exists(template))
        {
            throw new PortalException($"making the overlay {overlay}: the template {template} does not exist (build it with alpine/build-image.sh)");
        }

        var qemuImg = ToolRunner.Find("qemu-img") ?? throw new PortalException("making the overlay needs qemu-img (Debian package qemu-utils): it is not on PATH");
        File.Delete(overlay);
        ToolRunner.RunChecked(qemuImg, ["create", "-q", "-f", "qcow2", "-b", template, "-F", "qcow2", overlay], $"making the overlay {overlay}");
    }
}
