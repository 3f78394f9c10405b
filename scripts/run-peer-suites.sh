#!/usr/bin/env bash
# The consumers' own suites (cryptsetup's integrity-compat-test and
# verity-compat-test, tests/guest/peer.sh) in one boot of the Debian guest
# root per kernel: the stock kernel (C dm-io) and the replace kernel (Rust
# dm-io in dm-mod). Prints a table (suite, stock, replace) and fails if a
# suite fails on either kernel or the two kernels' results differ.
#
#   run-peer-suites.sh [KERNEL]...     (default: stock replace; as for
#                                       run-dm-scenarios.sh)
# Console logs: out/peer-KERNEL/. The VM time limit is 2400 s unless
# DM_IO_RS_VM_TIMEOUT says otherwise.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(stock replace)
mapfile -t suites < <(grep -v '^#' "$PROJECT_DIR/tests/guest/peer.suites" | grep .)
root="$("$PROJECT_DIR/scripts/build-guest-root.sh" | tail -n1)"

failed=0
for k in "${kernels[@]}"; do
	base="${k%%+*}"
	extra="${k#"$base"}"
	case "$base" in
	stock) variant="${extra#+}" impl=c ;;
	replace) variant="replace$extra" impl=rust ;;
	*) die "unknown kernel '$k' (stock or replace, optionally +fragment)" ;;
	esac
	kdir="$("$PROJECT_DIR/scripts/build-kernel.sh" "${variant:-guest}" | tail -n1)"
	src="$(readlink -f "$kdir/source")"
	out="$PROJECT_DIR/out/peer-$k"
	mkdir -p "$out"
	step "cryptsetup's suites on the $k kernel ($impl dm-io), Debian root $(basename "$(dirname "$root")")"
	start=$SECONDS
	tar -cf "$out/payload.tar" -C "$PROJECT_DIR/tests/guest" --transform 's,^peer\.sh$,test.sh,' peer.sh
	DM_IO_RS_ROOT_IMG="$root" DM_IO_RS_PAYLOAD="$out/payload.tar" \
		DM_IO_RS_CMDLINE="dmio=$impl ${DM_IO_RS_CMDLINE:-}" \
		"$PROJECT_DIR/scripts/run-qemu.sh" "$kdir/arch/x86/boot/bzImage" - "$out/console.log" \
		"${DM_IO_RS_VM_TIMEOUT:-2400}"
	# The dm-io in the kernel is the expected one (as dm.sh checks it).
	grep -q "dm-io-rs: dm-io is $impl" "$out/console.log" ||
		{ echo "FAIL: the $k kernel does not run the $impl dm-io"; failed=1; }
	"$PROJECT_DIR/scripts/judge.sh" "$out/console.log" "$src" "${suites[@]}" || failed=1
	info "guest run on the $k kernel: $((SECONDS - start)) s"
done

# One row per suite: exit code, time, [OK] and N/A counts per kernel; the
# N/A sub-tests must be the same on every kernel.
result() { # KERNEL SUITE
	local log="$PROJECT_DIR/out/peer-$1/console.txt"
	local r t
	r="$(sed -n "s/^# $2: exit \(.*\)$/exit \1/p" "$log" 2>/dev/null)"
	t="$(sed -n "s/^# $2: \([0-9]*\) s$/\1 s/p" "$log" 2>/dev/null)"
	echo "${r:-no result}${t:+, $t}"
}
step "cryptsetup suites: ${kernels[*]}"
printf '    %-24s' suite
printf ' | %-40s' "${kernels[@]}"
echo
for s in "${suites[@]}"; do
	printf '    %-24s' "$s"
	for k in "${kernels[@]}"; do printf ' | %-40s' "$(result "$k" "$s")"; done
	echo
	first=""
	for k in "${kernels[@]}"; do
		# The time differs between kernels; the rest must not.
		r="$(result "$k" "$s" | sed 's/, [0-9]* s$//')$(grep "^# $s: n/a: " "$PROJECT_DIR/out/peer-$k/console.txt" 2>/dev/null || true)"
		case "$r" in
		"exit 0,"*) ;;
		*) echo "FAIL: $s on the $k kernel: ${r%%$'\n'*}"; failed=1 ;;
		esac
		if [ -z "$first" ]; then
			first="$r"
		elif [ "$r" != "$first" ]; then
			echo "FAIL: $s: results on the $k kernel differ from the ${kernels[0]} kernel's"
			failed=1
		fi
	done
done
[ "$failed" -eq 0 ] || die "cryptsetup suites failed or differ between kernels; logs: out/peer-*/console.txt"
step "cryptsetup suites passed with the same results on: ${kernels[*]}"
