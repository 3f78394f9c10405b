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

# Any of these in the console means the kernel complained, whatever the
# tests said.
reports='(BUG:|WARNING:|Oops|general protection fault|Kernel panic|KASAN|UBSAN|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|INFO: lockdep|suspicious RCU usage|unreferenced object|kmemleak:.*new suspected|Call Trace:|hung_task|blocked for more than|refcount_t:|list_add corruption|list_del corruption|ODEBUG:)'
# A test that must make the kernel warn (as dm-io.c's WARN_ON for a
# multi-region read) marks where: that one warning is taken out first.
filtered="${log%.txt}.reports.txt"
python3 "$PROJECT_DIR/scripts/expected-warning.py" "$log" >"$filtered" || fail=1
if grep -En "$reports" "$filtered" >/tmp/dm-io-rs-reports.$$; then
	echo "FAIL: kernel reports in the console log:"
	head -n 20 /tmp/dm-io-rs-reports.$$ | sed 's/^/    /'
	fail=1
fi
rm -f /tmp/dm-io-rs-reports.$$

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
echo "KUnit cases: $passed passed, $failed failed"
[ "$fail" -eq 0 ] || die "guest run failed; console log: $log"
echo "PASS: $log"
