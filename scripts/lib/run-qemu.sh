#!/usr/bin/env bash
# Boot the guest kernel with an initramfs under QEMU, with a hard time limit,
# saving the whole console to a log file.
#
#   run-qemu.sh BZIMAGE INITRAMFS LOG [TIMEOUT_SECONDS]
#
# With DM_IO_RS_ROOT_IMG (an ext4 image from build-guest-root.sh) and
# DM_IO_RS_PAYLOAD (a tar archive) set and INITRAMFS '-', the guest boots
# that Debian root instead (vdb, opened with snapshot=on so the image is
# never written; init=/sbin/dm-io-rs-init) and its init unpacks the payload
# from vdc and runs its test.sh.
# TCG is the default: nested KVM on this machine kind fails during boot.
# DM_IO_RS_ACCEL=kvm tries KVM first and falls back to TCG.
# DM_IO_RS_SMP is QEMU's -smp (default 2). The guest kernel has no ACPI and
# finds its CPUs in SeaBIOS's MP table, which lists one CPU per package:
# plain "-smp 2" (QEMU's default topology: one socket, two cores) boots
# with ONE CPU; "2,sockets=2,cores=1,threads=1" boots with two.
# DM_IO_RS_ICOUNT=SHIFT (TCG only) runs the guest's clock on its
# instruction count (QEMU's -icount shift=SHIFT,sleep=off: 2^SHIFT ns per
# instruction): a time the guest measures is then the instructions it
# executed, whatever else the host runs.
# DM_IO_RS_INSN_PROFILE=FILE (TCG only) loads the instruction-count plugin
# (scripts/lib/insn-profile.c, built into out/bin), which writes the guest
# instructions executed per code block to FILE (scripts/report/insn-profile.py).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kernel="$1"
initrd="$2"
log="$3"
limit="${4:-${DM_IO_RS_VM_TIMEOUT:-900}}"

# A scratch virtio disk: a device that supports discard and write zeroes
# (sparse; DM_IO_RS_SCRATCH_MB for a larger one).
disk="$(dirname "$log")/scratch.img"
rm -f "$disk"
truncate -s "${DM_IO_RS_SCRATCH_MB:-64}M" "$disk"

# No fail_make_request= here: no test needs it (tests/guest/lib.sh arms the
# debugfs attributes), and on the debug kernel (KASAN) its
# prandom_init_once() oopses in early boot, in __kmalloc_cache_noprof()
# from once_disable_jump().
# no5lvl: with 5-level paging under TCG, KASAN reports a wild access in
# early boot (an interrupt during CPU identification), which taints the
# kernel and turns lockdep off before any test runs.
cmdline="console=ttyS0 panic=-1 oops=panic loglevel=7 no5lvl \
null_blk.nr_devices=0 brd.rd_nr=1 brd.rd_size=65536 ${DM_IO_RS_CMDLINE:-}"
initrd_args=(-initrd "$initrd")
if [ "$initrd" = - ]; then
	initrd_args=(
		-drive "file=${DM_IO_RS_ROOT_IMG:?},format=raw,if=none,id=root,snapshot=on"
		-device virtio-blk-pci,drive=root
		-drive "file=${DM_IO_RS_PAYLOAD:?},format=raw,if=none,id=payload,readonly=on"
		-device virtio-blk-pci,drive=payload
	)
	cmdline="$cmdline root=/dev/vdb rootfstype=ext4 rw init=/sbin/dm-io-rs-init"
fi

boot() {
	local accel="$1"
	local cpu=max icount=()
	[ "$accel" = kvm ] && cpu=host,-arch-capabilities
	[ "$accel" != tcg ] || [ -z "${DM_IO_RS_ICOUNT:-}" ] ||
		icount=(-icount "shift=$DM_IO_RS_ICOUNT,sleep=off")
	[ "$accel" != tcg ] || [ -z "${DM_IO_RS_INSN_PROFILE:-}" ] ||
		icount+=(-plugin "$PROJECT_DIR/out/bin/insn-profile.so,out=$DM_IO_RS_INSN_PROFILE")
	timeout --foreground -k 10 "$limit" qemu-system-x86_64 \
		-accel "$accel" -cpu "$cpu" -m "${DM_IO_RS_VM_MEM:-2G}" -smp "${DM_IO_RS_SMP:-2}" \
		"${icount[@]}" -nographic -no-reboot -nodefaults -serial stdio \
		-kernel "$kernel" -append "$cmdline" \
		-drive "file=$disk,format=raw,if=none,id=scratch,discard=unmap,detect-zeroes=unmap" \
		-device virtio-blk-pci,drive=scratch,discard=on,write-zeroes=on,max-discard-sectors=2048,max-write-zeroes-sectors=2048 \
		"${initrd_args[@]}" </dev/null
}

start=$SECONDS
rc=0
if [ "${DM_IO_RS_ACCEL:-tcg}" = kvm ]; then
	boot kvm >"$log" 2>&1 || rc=$?
	if ! grep -q "dm-io-rs: guest done" "$log"; then
		info "KVM boot did not finish; falling back to TCG"
		rc=0
		boot tcg >"$log" 2>&1 || rc=$?
	fi
else
	boot tcg >"$log" 2>&1 || rc=$?
fi
rm -f "$disk"
info "VM ran $((SECONDS - start)) s (exit $rc), console log: $log"
[ "$rc" -ne 124 ] || die "VM did not finish within $limit s"
exit 0
