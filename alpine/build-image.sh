#!/bin/sh
# Builds the Galaxy router template disk (qcow2) from Alpine's package repositories, without a VM: a raw disk
# with one ext4 partition, Alpine installed into it by apk.static, the kernel linux-virt booted by extlinux,
# then install-galaxy.sh run in a chroot. Run as root on an x86_64 Linux host (Debian or Alpine) that can reach
# an Alpine mirror. Step by step, with the reasons: alpine/README.md.
#
#   alpine/build-image.sh --galaxy PATH [--out FILE] [--size SIZE] [--branch vX.Y] [--mirror URL]
#
#   --galaxy PATH   the NativeAOT galaxy binary (./build.sh publish → artifacts/galaxy, glibc, needs gcompat;
#                   or artifacts/galaxy-linux-musl-x64 from an Alpine build host)
#   --out FILE      the template (default: alpine-galaxy.qcow2); written read-only (0444)
#   --size SIZE     the disk's virtual size (default: 1G)
#   --branch vX.Y   the Alpine release (default: v3.22)
#   --mirror URL    an Alpine mirror (default: https://dl-cdn.alpinelinux.org/alpine)
#
# Host tools: qemu-img (qemu-utils), sfdisk and losetup (util-linux/fdisk), mkfs.ext4 (e2fsprogs), wget or
# curl, tar, gzip.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
galaxy=""
out="alpine-galaxy.qcow2"
size="1G"
branch="v3.22"
mirror="https://dl-cdn.alpinelinux.org/alpine"
arch="x86_64"

die() { printf 'build-image.sh: %s\n' "$*" >&2; exit 1; }
log() { printf '==> %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
		--galaxy) galaxy=${2:?--galaxy needs a path}; shift 2 ;;
		--out) out=${2:?--out needs a file}; shift 2 ;;
		--size) size=${2:?--size needs a size}; shift 2 ;;
		--branch) branch=${2:?--branch needs vX.Y}; shift 2 ;;
		--mirror) mirror=${2:?--mirror needs a URL}; shift 2 ;;
		-h|--help) sed -n '2,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
		*) die "unknown option $1 (see --help)" ;;
	esac
done

[ -n "$galaxy" ] || die "--galaxy PATH is required (./build.sh publish writes artifacts/galaxy)"
[ -f "$galaxy" ] || die "$galaxy is not a file"
[ "$(id -u)" -eq 0 ] || die "run as root (loop devices, mounts, chroot)"
[ "$(uname -m)" = "$arch" ] || die "the chroot step runs Alpine's $arch binaries: build on an $arch host"
for tool in qemu-img sfdisk losetup mkfs.ext4 tar gzip blkid; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done

fetch() {
	if command -v wget >/dev/null; then
		wget -q -O "$2" "$1"
	elif command -v curl >/dev/null; then
		curl -fsSL -o "$2" "$1"
	else
		die "neither wget nor curl is installed"
	fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/galaxy-image.XXXXXX")
root="$work/root"
raw="$work/disk.raw"
loop=""
cleanup() {
	set +e
	for mount_point in "$root/dev" "$root/proc" "$root/sys" "$root"; do
		mountpoint -q "$mount_point" 2>/dev/null && umount -l "$mount_point"
	done
	[ -n "$loop" ] && losetup -d "$loop"
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

repository="$mirror/$branch/main"

# 1. apk.static, the statically linked package manager, and the keys that check every package it installs.
#    The mirror is reached over TLS; apk then verifies each package's signature with these keys.
log "fetching apk.static and alpine-keys from $repository/$arch"
fetch "$repository/$arch/APKINDEX.tar.gz" "$work/APKINDEX.tar.gz"
tar -xzf "$work/APKINDEX.tar.gz" -C "$work" APKINDEX
version_of() {
	awk -v name="$1" '/^P:/ { p = substr($0, 3) } /^V:/ && p == name { print substr($0, 3); exit }' "$work/APKINDEX"
}
for package in apk-tools-static alpine-keys; do
	version=$(version_of "$package")
	[ -n "$version" ] || die "$package is not in $repository/$arch"
	fetch "$repository/$arch/$package-$version.apk" "$work/$package.apk"
	mkdir -p "$work/$package"
	tar -xzf "$work/$package.apk" -C "$work/$package" 2>/dev/null || true
done
apk_static="$work/apk-tools-static/sbin/apk.static"
[ -x "$apk_static" ] || die "apk.static was not in apk-tools-static"

# 2. The disk: one bootable MBR partition, ext4 (extlinux boots it), by UUID.
log "making a $size disk with one ext4 partition"
qemu-img create -q -f raw "$raw" "$size"
printf 'label: dos\n,,L,*\n' | sfdisk -q "$raw"
loop=$(losetup --show -f -P "$raw")
partition="${loop}p1"
[ -b "$partition" ] || die "no partition device $partition (losetup -P)"
mkfs.ext4 -q -L galaxy-root -O '^64bit,^metadata_csum' "$partition"
uuid=$(blkid -s UUID -o value "$partition")
mkdir -p "$root"
mount "$partition" "$root"

# 3. Alpine itself, from the keys fetched above.
log "installing Alpine $branch into the disk"
mkdir -p "$root/etc/apk/keys"
cp "$work/alpine-keys/usr/share/apk/keys/$arch"/*.pub "$root/etc/apk/keys/"
printf '%s\n%s\n' "$mirror/$branch/main" "$mirror/$branch/community" >"$work/repositories"
"$apk_static" --arch "$arch" --root "$root" --initdb --keys-dir "$root/etc/apk/keys" \
	--repositories-file "$work/repositories" --update-cache --no-progress \
	add alpine-base linux-virt syslinux
cp "$work/repositories" "$root/etc/apk/repositories"

# 4. Boot: extlinux on the partition, syslinux's MBR, the serial console (virsh console), root by UUID.
log "installing the boot loader"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
cat >"$root/boot/extlinux.conf" <<CONF
DEFAULT galaxy
PROMPT 0
TIMEOUT 10
LABEL galaxy
  LINUX /boot/vmlinuz-virt
  INITRD /boot/initramfs-virt
  APPEND root=UUID=$uuid modules=ext4 rootfstype=ext4 console=ttyS0,115200 quiet
CONF
chroot "$root" /sbin/extlinux --install /boot
dd if="$root/usr/share/syslinux/mbr.bin" of="$loop" bs=440 count=1 conv=notrunc status=none
printf 'UUID=%s\t/\text4\trw,relatime\t0 1\n' "$uuid" >"$root/etc/fstab"
printf 'galaxy\n' >"$root/etc/hostname"
sed -i 's|^#ttyS0::respawn.*|ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100|' "$root/etc/inittab"
grep -q '^ttyS0::' "$root/etc/inittab" || printf 'ttyS0::respawn:/sbin/getty -L 115200 ttyS0 vt100\n' >>"$root/etc/inittab"

# 5. Galaxy: packages, base files, services (install-galaxy.sh, the same script as the manual path).
log "installing galaxy"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/tmp/galaxy-install"
cp "$galaxy" "$root/tmp/galaxy-install/galaxy"
cp -R "$here/base-files" "$root/tmp/galaxy-install/base-files"
cp "$here/install-galaxy.sh" "$root/tmp/galaxy-install/install-galaxy.sh"
chroot "$root" /bin/sh /tmp/galaxy-install/install-galaxy.sh /tmp/galaxy-install/galaxy /tmp/galaxy-install/base-files
rm -rf "$root/tmp/galaxy-install"
# galaxy-config rewrites it at every boot; the template carries the same.
printf 'nameserver 127.0.0.1\n' >"$root/etc/resolv.conf"

# 6. The template: qcow2, read-only. Instances never write it: each start gets a fresh overlay backed by it.
log "writing $out"
umount "$root/dev" "$root/proc" "$root/sys"
umount "$root"
losetup -d "$loop"
loop=""
rm -f "$out"
qemu-img convert -q -f raw -O qcow2 "$raw" "$out"
chmod 0444 "$out"
log "done: $out ($(qemu-img info --output=json "$out" | grep -m1 '"virtual-size"' | tr -dc '0-9') bytes virtual)"
