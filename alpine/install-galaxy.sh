#!/bin/sh
# Turns an installed Alpine system into a Galaxy router template. Runs ON Alpine as root: inside the chroot
# that build-image.sh prepares, or in a VM installed by hand with `setup-alpine -f answers` (alpine/README.md).
#
#   install-galaxy.sh GALAXY_BINARY BASE_FILES_DIR
#
# GALAXY_BINARY is a NativeAOT build of galaxy: linux-musl-x64 (runs as it is) or linux-x64 (glibc: gcompat is
# installed for it). Idempotent.
set -eu

die() { printf 'install-galaxy.sh: %s\n' "$*" >&2; exit 1; }

[ $# -eq 2 ] || die "usage: install-galaxy.sh GALAXY_BINARY BASE_FILES_DIR"
binary=$1
base_files=$2
[ -f "$binary" ] || die "$binary is not a file"
[ -d "$base_files/etc/init.d" ] || die "$base_files does not look like alpine/base-files"
[ "$(id -u)" -eq 0 ] || die "run as root"
[ -f /etc/alpine-release ] || die "this is not Alpine (no /etc/alpine-release)"

# What the router runs: nftables (the kernel modules come with linux-virt; nft is for operators), OpenVPN and
# setpriv for the egress tunnels, busybox-extras for udhcpd, ifupdown-ng for /etc/network/interfaces.
packages="nftables openvpn setpriv busybox-extras ifupdown-ng ca-certificates"
if grep -q 'ld-linux-x86-64.so.2' "$binary"; then
	# A glibc build: gcompat supplies the glibc loader and symbols on musl.
	packages="$packages gcompat libgcc"
fi
# shellcheck disable=SC2086 # the package list is meant to split
apk add --no-cache $packages

cp -R "$base_files"/. /
install -m 0755 "$binary" /usr/bin/galaxy
chmod 0755 /etc/init.d/galaxy /etc/init.d/galaxy-config /etc/init.d/galaxy-dhcp /etc/init.d/galaxy-lockdown
mkdir -p /etc/network/interfaces.d
addgroup -S galaxy 2>/dev/null || true

# The config drive and nftables' modules, early.
for module in isofs sr_mod nf_tables nft_tproxy nft_socket; do
	grep -qx "$module" /etc/modules 2>/dev/null || echo "$module" >>/etc/modules
done

add() { rc-update -q add "$1" "$2"; }
for service in devfs dmesg mdev hwdrivers; do add "$service" sysinit; done
for service in modules sysctl hostname bootmisc syslog networking galaxy-lockdown galaxy-config; do add "$service" boot; done
add galaxy default
# galaxy-dhcp joins the default runlevel at boot, from galaxy-config, only when [dhcp] is enabled.
for service in mount-ro killprocs savecache; do add "$service" shutdown; done

# A router has no login over the network and no other services.
rc-update -q del sshd default 2>/dev/null || true
rc-update -q del chronyd default 2>/dev/null || true

/usr/bin/galaxy version >/dev/null || die "/usr/bin/galaxy does not run here (a glibc build without gcompat, or the wrong architecture)"
echo "install-galaxy.sh: $(/usr/bin/galaxy --version) installed"
