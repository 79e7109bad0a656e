#!/usr/bin/env bash
# Boots Debian's 6.12 kernel under qemu (TCG: no KVM needed) with the kernel's own GPIO and USB printer simulators,
# shares this machine's / into the VM read-only over 9p and runs Scripts/vm/harness.sh there, against the binaries
# already built here (.build/debug and, if built, .build-gpiod2/debug).
#
#   Scripts/vm/run.sh            # everything: packages, module, initramfs (cached in .build-vm/), boot, results
#   VM_CHECKS=10 Scripts/vm/run.sh   # only Scripts/vm/checks/10-*.sh (numbers, comma-separated): by hand, quicker
#
# Exits 0 only if the VM booted, every module loaded and the harness reported its results with no failure.
# Each run stops by itself: poweroff at the end, -no-reboot, and a timeout around qemu (VM_TIMEOUT, 300 s).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VM=$ROOT/.build-vm
mkdir -p "$VM"
export DEBIAN_FRONTEND=noninteractive

# The kernel release: the one Debian's linux-headers-6.12-amd64 points to, so image, headers and source match.
release() {
    apt-cache depends linux-headers-6.12-amd64 2>/dev/null |
        sed -n 's/^ *Depends: linux-headers-\(6\.12\.[0-9]*+deb12-amd64\)$/\1/p' | head -n1
}
KREL=${VM_KERNEL_RELEASE:-$(ls -d /usr/src/linux-headers-6.12.*+deb12-amd64 2>/dev/null | sort -V | tail -n1 |
    sed 's|.*/linux-headers-||' || true)}
if [ -z "$KREL" ] || [ ! -e "/boot/vmlinuz-$KREL" ] || [ ! -e /usr/src/linux-source-6.12.tar.xz ] ||
    ! command -v qemu-system-x86_64 >/dev/null || [ ! -x /bin/busybox ] || ! command -v cpio >/dev/null; then
    KREL=$(release)
    if [ -z "$KREL" ]; then
        apt-get update -qq
        KREL=$(release)
    fi
    [ -n "$KREL" ] || { echo "vm: no linux-headers-6.12-amd64 in apt's lists: run apt-get update" >&2; exit 1; }
    echo "== vm: installing kernel $KREL, its headers and source, qemu, busybox"
    apt-get install -y -qq --no-install-recommends qemu-system-x86 busybox-static cpio xz-utils kmod \
        linux-source-6.12 "linux-image-$KREL-unsigned" "linux-headers-$KREL" >/dev/null
fi
echo "== vm: kernel $KREL"

# 1. gpio-sim.ko, out of tree: Debian's config leaves CONFIG_GPIO_SIM and CONFIG_IRQ_SIM unset.
MOD=$VM/gpio-sim-$KREL
if [ ! -e "$MOD/gpio-sim.ko" ]; then
    echo "== vm: building gpio-sim for $KREL"
    rm -rf "$MOD" && mkdir -p "$MOD"
    src=linux-source-6.12
    tar -xJf /usr/src/linux-source-6.12.tar.xz -C "$MOD" --strip-components=1 \
        "$src/drivers/gpio/gpio-sim.c" "$src/drivers/gpio/gpiolib.h" "$src/kernel/irq/irq_sim.c"
    cp "$MOD/drivers/gpio/gpiolib.h" "$MOD/gpiolib.h"
    cp "$MOD/drivers/gpio/gpio-sim.c" "$MOD/gpio-sim-main.c"
    # irq_to_desc is not exported; irq_sim.c uses it only to run handle_simple_irq, which generic_handle_irq does.
    sed 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' "$MOD/kernel/irq/irq_sim.c" \
        >"$MOD/irq_sim.c"
    if grep -q irq_to_desc "$MOD/irq_sim.c"; then
        echo "vm: irq_sim.c uses irq_to_desc other than expected; see Scripts/vm/run.sh" >&2
        exit 1
    fi
    cp Scripts/vm/Kbuild Scripts/vm/Makefile "$MOD/"
    make -s -C "/usr/src/linux-headers-$KREL" M="$MOD" modules >"$MOD/build.log" 2>&1 ||
        { cat "$MOD/build.log" >&2; echo "vm: gpio-sim did not build" >&2; exit 1; }
fi

# 2. The initramfs: busybox, the modules (decompressed, in dependency order) and Scripts/vm/init.
INITRD=$VM/initramfs-$KREL.cpio.gz
STAMP=$(cat Scripts/vm/init "$MOD/gpio-sim.ko" | sha256sum | cut -c1-16)
if [ ! -e "$INITRD" ] || [ "$(cat "$INITRD.stamp" 2>/dev/null)" != "$STAMP" ]; then
    echo "== vm: building the initramfs"
    TREE=$VM/initramfs-tree
    rm -rf "$TREE" && mkdir -p "$TREE"/{bin,dev,proc,sys,root,modules,out}
    cp /bin/busybox "$TREE/bin/busybox"
    cp Scripts/vm/init "$TREE/init" && chmod +x "$TREE/init"
    : >"$TREE/modules/order"
    for m in virtio_pci 9pnet_virtio 9p dummy_hcd libcomposite usb_f_printer usblp; do
        modprobe -S "$KREL" --show-depends "$m" 2>/dev/null | awk '$1 == "insmod" {print $2}'
    done | awk '!seen[$0]++' | while read -r ko; do
        name=$(basename "$ko"); name=${name%.xz}
        case "$ko" in *.xz) xz -dc "$ko" >"$TREE/modules/$name" ;; *) cp "$ko" "$TREE/modules/$name" ;; esac
        echo "$name" >>"$TREE/modules/order"
    done
    cp "$MOD/gpio-sim.ko" "$TREE/modules/gpio-sim.ko" && echo gpio-sim.ko >>"$TREE/modules/order"
    (cd "$TREE" && find . | cpio -o -H newc --quiet | gzip -1) >"$INITRD"
    echo "$STAMP" >"$INITRD.stamp"
fi

# 3. Boot. /out in the VM is $VM/out here (writable); the harness writes its log and a last "RESULT" line there.
OUT=$VM/out
rm -rf "$OUT" && mkdir -p "$OUT"
echo "== vm: booting (TCG); console in $OUT/console.log"
start=$(date +%s)
set +e
timeout --kill-after=10 "${VM_TIMEOUT:-300}" qemu-system-x86_64 -machine q35 -accel tcg -cpu max -smp 2 -m 1536 \
    -nodefaults -no-reboot -display none -serial "file:$OUT/console.log" \
    -kernel "/boot/vmlinuz-$KREL" -initrd "$INITRD" \
    -append "console=ttyS0 panic=-1 quiet loglevel=4 hubkiosk.root=$ROOT${VM_CHECKS:+ hubkiosk.checks=$VM_CHECKS}" \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
    -virtfs "local,path=$OUT,mount_tag=out,security_model=none,multidevs=remap" \
    -virtfs "local,path=$ROOT,mount_tag=repo,security_model=none,readonly=on,multidevs=remap" \
    -device virtio-rng-pci
qemu=$?
set -e
echo "== vm: qemu exited $qemu after $(( $(date +%s) - start )) s"
cat "$OUT/harness.log" 2>/dev/null || true
if [ ! -s "$OUT/harness.log" ]; then
    echo "-- console:" && tail -n 60 "$OUT/console.log" || true
fi
[ "$qemu" -eq 124 ] || [ "$qemu" -eq 137 ] && { echo "vm: FAILED: the VM did not stop in time" >&2; exit 1; }
grep -q '^MODULES ok$' "$OUT/harness.log" 2>/dev/null ||
    { echo "vm: FAILED: the VM did not boot or a module did not load (see $OUT/console.log)" >&2; exit 1; }
result=$(grep '^RESULT ' "$OUT/harness.log" | tail -n1 || true)
[ -n "$result" ] || { echo "vm: FAILED: the harness did not report its results" >&2; exit 1; }
echo "== vm: $result"
case "$result" in "RESULT pass "*" fail 0") exit 0 ;; *) exit 1 ;; esac
