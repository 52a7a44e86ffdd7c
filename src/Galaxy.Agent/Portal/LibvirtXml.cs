using System.Globalization;
using System.Security;

namespace Galaxy.Agent.Portal;

/// <summary>
/// The libvirt definitions of one router (schemas: libvirt's domain.rng and network.rng; the tests run
/// <c>virt-xml-validate</c> on both). The NIC order is the guest's interface order: WAN first (eth0), LAN second (eth1).
/// </summary>
internal static class LibvirtXml
{
    /// <summary>
    /// The router VM: the overlay qcow2 (backed by the read-only template) as its only writable disk, the config drive
    /// as a read-only cdrom, the WAN NIC on <paramref name="wanNetwork"/> and the LAN NIC on its own isolated network.
    /// </summary>
    public static string Domain(RouterInstance router, string wanNetwork, string stateDirectory, string templatePath)
    {
        var overlay = Path.Combine(stateDirectory, "overlay.qcow2");
        var drive = Path.Combine(stateDirectory, "config.iso");
        return string.Create(CultureInfo.InvariantCulture, $"""
            <!-- {E(router.Name)}: rendered by `galaxy portal render`; `galaxy portal up {E(router.Name)}` recreates the overlay and the config drive. -->
            <domain type="kvm">
              <name>{E(router.Name)}</name>
              <description>Galaxy router {E(router.Name)}: LAN {E(router.LanSubnet.ToString())}, egresses {E(string.Join(", ", router.Egresses))}</description>
              <memory unit="MiB">{router.MemoryMiB}</memory>
              <vcpu placement="static">{router.Cpus}</vcpu>
              <os>
                <type arch="x86_64" machine="q35">hvm</type>
                <boot dev="hd"/>
              </os>
              <features>
                <acpi/>
              </features>
              <cpu mode="host-model"/>
              <on_poweroff>destroy</on_poweroff>
              <on_reboot>restart</on_reboot>
              <on_crash>destroy</on_crash>
              <devices>
                <disk type="file" device="disk">
                  <driver name="qemu" type="qcow2" discard="unmap"/>
                  <source file="{E(overlay)}"/>
                  <backingStore type="file">
                    <format type="qcow2"/>
                    <source file="{E(templatePath)}"/>
                    <backingStore/>
                  </backingStore>
                  <target dev="vda" bus="virtio"/>
                </disk>
                <disk type="file" device="cdrom">
                  <driver name="qemu" type="raw"/>
                  <source file="{E(drive)}"/>
                  <target dev="sda" bus="sata"/>
                  <readonly/>
                </disk>
                <interface type="network">
                  <source network="{E(wanNetwork)}"/>
                  <mac address="{InstanceRenderer.MacAddress(router.Name, "wan")}"/>
                  <model type="virtio"/>
                </interface>
                <interface type="network">
                  <source network="{E(router.LanNetwork)}"/>
                  <mac address="{InstanceRenderer.MacAddress(router.Name, "lan")}"/>
                  <model type="virtio"/>
                </interface>
                <serial type="pty">
                  <target port="0"/>
                </serial>
                <console type="pty">
                  <target type="serial" port="0"/>
                </console>
                <rng model="virtio">
                  <backend model="random">/dev/urandom</backend>
                </rng>
              </devices>
            </domain>

            """);
    }

    /// <summary>
    /// The router's LAN: an isolated network (no &lt;forward&gt;: the host routes nothing there) with no host address
    /// (no &lt;ip&gt;: the host is not on the LAN and libvirt runs no DHCP or DNS on it — the router serves DHCP).
    /// Cluster VMs attach their NIC to this network.
    /// </summary>
    public static string LanNetwork(RouterInstance router) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            <!-- The LAN of {E(router.Name)} ({E(router.LanSubnet.ToString())}): isolated; the router is its gateway, DNS and DHCP server. -->
            <network>
              <name>{E(router.LanNetwork)}</name>
              <bridge name="{E(router.LanBridge)}" stp="off" delay="0"/>
              <mac address="{InstanceRenderer.MacAddress(router.Name, "bridge")}"/>
            </network>

            """);

    private static string E(string text) => SecurityElement.Escape(text);
}
