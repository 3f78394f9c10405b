#!/usr/bin/env bash
# Boot a guest with a test script and judge its console log: the one way
# the project's scripts boot a guest.
#
#   run-suite.sh [-k KERNEL] [-o RUN] [-e LINE]... [-r ROOT_IMG] [-p FILE]...
#                [-t SECONDS] NAME [MODULE.ko...]
#
# NAME picks tests/guest/NAME.sh, the script the guest runs, and beside it:
#   NAME.suites  the KTAP tests (KUnit suites or scenarios) that must appear
#                and pass; a line with a second word, a kernel (stock,
#                replace), must pass on that kernel only;
#   NAME.bins    host programs the initramfs carries (make-initramfs.sh);
#   NAME.env     the run's QEMU settings, KEY=VALUE lines of run-qemu.sh's
#                DM_IO_RS_* knobs (the environment's values win);
#   NAME.cmdline kernel command line the run needs (kunit.enable=0).
#
#   -k KERNEL   the kernel to boot, by name (lib.sh's kernel_spec: stock,
#               replace, stock+debug, ...); the command line gets
#               dmio=c|rust, and a run on a +debug kernel must end with a
#               clean kmemleak scan. Without
#               -k: KDIR, by default the stock kernel (which KDIR also
#               names for -k stock, if set).
#   -o RUN      the run's directory under out/ (default NAME, NAME-KERNEL
#               with -k; '+' becomes '-').
#   -e LINE     a line of shell in front of the guest script (a seed, a
#               round count); may repeat.
#   -r ROOT_IMG boot the Debian root image (build-guest-root.sh) with the
#               script as the payload's test.sh, not an initramfs; the
#               MODULEs and -p FILEs go into the payload.
#   -t SECONDS  the VM's time limit (default run-qemu.sh's).
#
# DM_IO_RS_CMDLINE: extra kernel command line (run-qemu.sh). The console
# log and the judge's files land in out/RUN/.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kernel=
run=
headers=()
root_img=
payload_files=()
limit=
while getopts k:o:e:r:p:t: opt; do
	case "$opt" in
	k) kernel="$OPTARG" ;;
	o) run="$OPTARG" ;;
	e) headers+=("$OPTARG") ;;
	r) root_img="$OPTARG" ;;
	p) payload_files+=("$OPTARG") ;;
	t) limit="$OPTARG" ;;
	*) die "usage: run-suite.sh [-k KERNEL] [-o RUN] [-e LINE] [-r ROOT_IMG] [-p FILE] [-t SECONDS] NAME [MODULE.ko...]" ;;
	esac
done
shift $((OPTIND - 1))
name="${1:?usage: run-suite.sh [options] NAME [MODULE.ko...]}"
shift
guest="$PROJECT_DIR/tests/guest"
[ -f "$guest/$name.sh" ] || die "no guest script $guest/$name.sh"

cmdline=
impl=
if [ -n "$kernel" ]; then
	kernel_spec "$kernel"
	impl="$spec_impl"
	KDIR="$(kernel_kdir "$kernel")"
	cmdline="dmio=$impl"
	run="${run:-$name-${kernel//+/-}}"
fi
KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
src="$(readlink -f "$KDIR/source" 2>/dev/null || "$PROJECT_DIR/scripts/lib/fetch-kernel.sh" | tail -n1)"
out="$PROJECT_DIR/out/${run:-$name}"
mkdir -p "$out"

# The run's own command line (comments out).
if [ -f "$guest/$name.cmdline" ]; then
	cmdline="$cmdline $(sed 's/#.*//' "$guest/$name.cmdline" | xargs)"
fi

# The run's QEMU settings, where the environment has none.
if [ -f "$guest/$name.env" ]; then
	while IFS='=' read -r key value; do
		case "$key" in '' | '#'*) continue ;; DM_IO_RS_*) ;; *) die "$name.env: $key is not a DM_IO_RS_ setting" ;; esac
		[ -n "${!key:-}" ] || export "$key=$value"
	done <"$guest/$name.env"
fi

# The guest script, with the caller's lines in front.
script="$guest/$name.sh"
if [ ${#headers[@]} -gt 0 ]; then
	script="$out/$name.sh"
	{ printf '%s\n' "${headers[@]}"; cat "$guest/$name.sh"; } >"$script"
	[ ! -f "$guest/$name.bins" ] || cp "$guest/$name.bins" "$out/$name.bins"
fi

step "guest run '$name' on $(basename "$KDIR")${kernel:+ ($kernel kernel, $impl dm-io)}"
start=$SECONDS
if [ -n "$root_img" ]; then
	rm -rf "$out/payload"
	mkdir -p "$out/payload"
	cp "$script" "$out/payload/test.sh"
	cp "$guest/lib.sh" "$out/payload/lib.sh"
	[ $# -eq 0 ] || cp "$@" "$out/payload/"
	[ ${#payload_files[@]} -eq 0 ] || cp "${payload_files[@]}" "$out/payload/"
	tar -cf "$out/payload.tar" -C "$out/payload" .
	DM_IO_RS_ROOT_IMG="$root_img" DM_IO_RS_PAYLOAD="$out/payload.tar" \
		DM_IO_RS_CMDLINE="$cmdline ${DM_IO_RS_CMDLINE:-}" \
		"$PROJECT_DIR/scripts/lib/run-qemu.sh" "$KDIR/arch/x86/boot/bzImage" - "$out/console.log" ${limit:+"$limit"}
else
	"$PROJECT_DIR/scripts/lib/make-initramfs.sh" "$out/initramfs.cpio.gz" "$script" "$@"
	DM_IO_RS_CMDLINE="$cmdline ${DM_IO_RS_CMDLINE:-}" \
		"$PROJECT_DIR/scripts/lib/run-qemu.sh" "$KDIR/arch/x86/boot/bzImage" \
		"$out/initramfs.cpio.gz" "$out/console.log" ${limit:+"$limit"}
fi

# The suites this run must pass: every line without a kernel, and those
# for this run's kernel.
suites=()
if [ -f "$guest/$name.suites" ]; then
	while read -r suite only; do
		case "$suite" in '' | '#'*) continue ;; esac
		[ -z "$only" ] || [ "$only" = "${kernel%%+*}" ] || continue
		suites+=("$suite")
	done <"$guest/$name.suites"
fi
"$PROJECT_DIR/scripts/lib/judge.sh" "$out/console.log" "$src" "${suites[@]}"
# The dm-io in dm-mod is the one the kernel's name promises.
if [ -n "$impl" ] && grep -q "^dm-io-rs: dm-io is " "$out/console.txt"; then
	grep -qx "dm-io-rs: dm-io is $impl" "$out/console.txt" ||
		die "the $kernel kernel does not run the $impl dm-io; console: $out/console.txt"
fi
if [[ "$kernel" == *+debug* ]]; then
	grep -q "dm-io-rs: kmemleak: no leaks" "$out/console.txt" ||
		die "the $name run on the $kernel kernel did not report a clean kmemleak scan"
fi
info "the $name run passed in $((SECONDS - start)) s"
# The times the guest script reports for its parts.
grep -E '^# [a-z0-9_]+: [0-9.]+ s$' "$out/console.txt" | sed 's/^# /    /' || true
