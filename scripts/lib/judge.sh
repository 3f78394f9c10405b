#!/usr/bin/env bash
# Judge a guest console log: the VM finished, no kernel report of any kind,
# every expected KUnit suite present and passing.
#
#   judge.sh LOG KERNEL_SRC SUITE...
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

raw="$1"
src="$2"
shift 2
# The serial console ends lines with CR LF.
log="${raw%.log}.txt"
tr -d '\r' <"$raw" >"$log"
fail=0

grep -q "dm-io-rs: guest done" "$log" || { echo "FAIL: the guest did not finish (no 'guest done' marker)"; fail=1; }
grep -q "dm-io-rs: test script passed" "$log" || { echo "FAIL: the guest test script did not pass"; fail=1; }

# Any kernel report means the kernel complained, whatever the tests said.
kernel_reports "$log" "${log%.txt}.reports.txt" || fail=1

# The kernel's own KTAP parser, on the KTAP document that the guest script's
# module loads printed (the boot-time built-in suites are a document of
# their own, before it).
parsed="$(dirname "$log")/kunit-parse.txt"
ktap="$(dirname "$log")/ktap.txt"
sed -n '/dm-io-rs: guest up/,$p' "$log" >"$ktap"
if ! python3 "$src/tools/testing/kunit/kunit.py" parse "$ktap" >"$parsed" 2>&1; then
	# kunit.py exits non-zero on failed tests; the summary below says which.
	echo "FAIL: kunit.py parse reports failures"
	fail=1
fi
sed -n '/====/,$p' "$parsed" | tail -n 40
for suite in "$@"; do
	if ! grep -Eq "^(\[[ 0-9.]+\] )?ok [0-9]+ $suite\$" "$log"; then
		echo "FAIL: suite $suite missing or not passing"
		fail=1
	fi
done

passed=$(grep -Ec '^(\[[ 0-9.]+\] )?\s+ok [0-9]+ ' "$log" || true)
failed=$(grep -Ec '^(\[[ 0-9.]+\] )?\s+not ok [0-9]+ ' "$log" || true)
# A skipped case is "ok" to KTAP: count and name them, so that a suite that
# passes by skipping shows.
skipped="$(grep -E '^(\[[ 0-9.]+\] )?\s+ok [0-9]+ .* # SKIP' "$log" |
	sed -E 's/^(\[[ 0-9.]+\] )?\s+ok [0-9]+ //' || true)"
echo "KUnit cases: $passed passed (of them $(printf '%s' "$skipped" | grep -c . || true) skipped), $failed failed"
[ -z "$skipped" ] || printf '%s\n' "$skipped" | sed 's/^/    skipped: /'
[ "$fail" -eq 0 ] || die "guest run failed; console log: $log"
echo "PASS: $log"
