#!/bin/bash
# Builds the Linux template's guest material into OUTDIR from Debian 12's own packages (never committed):
#   OUTDIR/vmlinuz         the bzImage of linux-image-cloud-amd64's kernel package, unmodified
#   OUTDIR/initrd.cpio     initramfs (newc): busybox-static, /init (guests/linux/init, which loads virtio_pci,
#                          virtio_blk for the VM's disk and virtio_net for its adapter), the virtio, ACPI button and
#                          evdev modules + modules.dep, busybox acpid's power-button action
#   OUTDIR/kernel-release  the kernel's release string, e.g. 6.1.0-57-cloud-amd64
#   OUTDIR/disk.img        the template's disk image: a 16 MiB ext2 file system (4 KiB blocks, one block group, so all
#                          of it lies at the start) holding /hello.txt, with its zero tail cut off (the disk is zeros
#                          after an image, manifest diskimage=)
# Needs apt-get, apt-cache and dpkg-deb (any Debian 12) and mke2fs (e2fsprogs); as root it runs apt-get update when the
# package lists lack them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/work"
rm -rf "$work"
mkdir -p "$work/debs" "$work/kernel" "$work/busybox"

# The metapackage depends on the versioned image package, which holds the files.
kernel_package() {
    apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' | head -n1
}
kernel_pkg=$(kernel_package)
if [ -z "$kernel_pkg" ] && [ "$(id -u)" = 0 ]; then
    apt-get update -q >/dev/null
    kernel_pkg=$(kernel_package)
fi
if [ -z "$kernel_pkg" ]; then
    echo "linux: apt-cache does not know linux-image-cloud-amd64 (run apt-get update)" >&2
    exit 1
fi
# apt-get download writes into the current directory; as root it warns that _apt cannot write there (harmless).
(cd "$work/debs" && apt-get download -q "$kernel_pkg" busybox-static 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
dpkg-deb -x "$work/debs/${kernel_pkg}"_*.deb "$work/kernel"
dpkg-deb -x "$work/debs"/busybox-static_*.deb "$work/busybox"
release=${kernel_pkg#linux-image-}
moddir="$work/kernel/lib/modules/$release"
[ -f "$work/kernel/boot/vmlinuz-$release" ] || { echo "linux: no vmlinuz-$release in $kernel_pkg" >&2; exit 1; }

# Virtio modules for later work (disk and network), with everything they depend on (the package has no modules.dep:
# depmod writes it at install time, so it is built here from each module's own "depends=" field).
declare -A modpath=()
while IFS= read -r ko; do
    name=$(basename "$ko" .ko)
    modpath[${name//-/_}]=${ko#"$moddir/"}
done < <(find "$moddir/kernel" -name '*.ko')
depends() { tr '\0' '\n' < "$moddir/${modpath[$1]}" | sed -n 's/^depends=//p' | tr ',' ' '; }
declare -A wanted=()
want() {
    local m=$1 d
    [ -n "${modpath[$m]:-}" ] || { echo "linux: module $m not in $kernel_pkg" >&2; exit 1; }
    [ -n "${wanted[$m]:-}" ] && return
    wanted[$m]=1
    for d in $(depends "$m"); do want "$d"; done
}
# button + evdev: the ACPI power button reaches busybox acpid, which powers off (Stop-HvVm without -TurnOff).
for m in virtio virtio_ring virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev virtio_blk virtio_net net_failover failover button evdev; do
    want "$m"
done

list="$work/initrd.list"
{
    for d in /bin /sbin /usr /usr/bin /usr/sbin /etc /etc/acpi /etc/acpi/PWRF /var /var/log /proc /sys /dev /tmp /root /lib /lib/modules "/lib/modules/$release"; do
        echo "dir $d 755"
    done
    echo "nod /dev/console 600 c 5 1"
    echo "nod /dev/null 666 c 1 3"
    echo "file /bin/busybox 755 $work/busybox/bin/busybox"
    echo "slink /bin/sh 777 busybox"
    echo "slink /sbin/init 777 ../bin/busybox"
    echo "file /init 755 $here/init"
    echo "file /etc/inittab 644 $here/inittab"
    echo "file /etc/profile 644 $here/profile"
    echo "file /etc/acpi/PWRF/00000080 755 $here/power-button"
    declare -A dirs=()
    for m in $(printf '%s\n' "${!wanted[@]}" | sort); do
        path=${modpath[$m]}
        dir=$(dirname "$path") parent=""
        for part in ${dir//\// }; do
            parent="$parent/$part"
            [ -n "${dirs[$parent]:-}" ] || { dirs[$parent]=1; echo "dir /lib/modules/$release$parent 755"; }
        done
        echo "file /lib/modules/$release/$path 644 $moddir/$path"
    done
    echo "file /lib/modules/$release/modules.dep 644 $work/modules.dep"
} > "$list"
# modules.dep lists every module a module needs, transitively, in an order whose reverse loads them (as depmod does).
declare -A seen=()
order=()
visit() { # post-order: a module after everything it needs
    local d
    [ -n "${seen[$1]:-}" ] && return
    seen[$1]=1
    for d in $(depends "$1"); do visit "$d"; done
    order+=("$1")
}
for m in $(printf '%s\n' "${!wanted[@]}" | sort); do
    seen=() order=()
    visit "$m"
    line="${modpath[$m]}:"
    for (( i = ${#order[@]} - 2; i >= 0; i-- )); do line="$line ${modpath[${order[$i]}]}"; done
    echo "$line"
done > "$work/modules.dep"

mkdir -p "$work/disk"
echo "hv-template-disk" > "$work/disk/hello.txt"
# Fixed UUID, hash seed and time, so the same sources give the same image.
E2FSPROGS_FAKE_TIME=1700000000 PATH="$PATH:/usr/sbin:/sbin" mke2fs -q -F -t ext2 -b 4096 -N 128 -L hv-template \
    -U 6876000a-0000-4000-8000-000000000001 -E hash_seed=6876000a-0000-4000-8000-000000000002,root_owner=0:0 \
    -d "$work/disk" "$out/disk.img.tmp" 16M
# The zero tail goes: whole pages after the last page with data.
last=$(LC_ALL=C grep -obUaP '[^\x00]' "$out/disk.img.tmp" | tail -n1 | cut -d: -f1)
truncate -s $(( (last / 4096 + 1) * 4096 )) "$out/disk.img.tmp"
mv "$out/disk.img.tmp" "$out/disk.img"
"$here/newc-cpio.sh" < "$list" > "$out/initrd.cpio.tmp"
cp "$work/kernel/boot/vmlinuz-$release" "$out/vmlinuz.tmp"
echo "$release" > "$out/kernel-release"
mv "$out/initrd.cpio.tmp" "$out/initrd.cpio"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
rm -rf "$work"
echo "linux: $release: vmlinuz $(stat -c %s "$out/vmlinuz") bytes, initrd.cpio $(stat -c %s "$out/initrd.cpio") bytes (${#wanted[@]} modules), disk.img $(stat -c %s "$out/disk.img") bytes"
