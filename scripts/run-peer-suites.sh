#!/usr/bin/env bash
# The consumers' own suites (cryptsetup's integrity-compat-test and
# verity-compat-test, tests/guest/peer.sh) in one boot of the Debian guest
# root per kernel: the stock kernel (C dm-io) and the replace kernel (Rust
# dm-io in dm-mod). Prints a table (suite, stock, replace) and fails if a
# suite fails on either kernel or the two kernels' results differ.
#
#   run-peer-suites.sh [KERNEL]...     (default: stock replace; names as
#                                       for run-suite.sh -k)
# Console logs: out/peer-KERNEL/. The VM time limit is 2400 s unless
# DM_IO_RS_VM_TIMEOUT says otherwise.
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

kernels=("$@")
[ ${#kernels[@]} -gt 0 ] || kernels=(stock replace)
mapfile -t suites < <(grep -v '^#' "$PROJECT_DIR/tests/guest/peer.suites" | grep .)
root="$("$PROJECT_DIR/scripts/lib/build-guest-root.sh" | tail -n1)"

failed=0
for k in "${kernels[@]}"; do
	"$PROJECT_DIR/scripts/lib/run-suite.sh" -k "$k" -o "peer-$k" -r "$root" \
		-t "${DM_IO_RS_VM_TIMEOUT:-2400}" peer || failed=1
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
