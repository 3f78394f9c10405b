# Guest script (bash, on the Debian root of scripts/lib/build-guest-root.sh) for
# the consumers' own suites: cryptsetup's integrity-compat-test and
# verity-compat-test from Debian's source of the installed cryptsetup
# (/opt/cryptsetup-tests), run against the installed integritysetup and
# veritysetup. The same on the stock kernel (C dm-io) and on the replace
# kernel (Rust dm-io); scripts/run-peer-suites.sh compares the two.
#
# Prints one KTAP document: each suite's own output as "# " lines, then
# "# NAME: T s", "# NAME: results: N ok, N n/a", one "# NAME: n/a: LINE" per
# sub-test that reported N/A, and "ok N NAME" / "not ok N NAME".
set -u

# Which dm-io this kernel runs: the Rust crate's symbols are in vmlinux.
if grep -q '10dm_io_rust' /proc/kallsyms; then
	echo "dm-io-rs: dm-io is rust"
else
	echo "dm-io-rs: dm-io is c"
fi

tests=/opt/cryptsetup-tests
# Loop devices over files on the ext4 root: on tmpfs they advertise
# write-zeroes and fail it, which would show up as I/O errors.
work=/var/tmp/peer
# libcryptsetup's lock directory (/run is a fresh tmpfs).
mkdir -p /run/cryptsetup

# The upstream scripts stop at their first failure: a line that cannot run
# in this guest is removed by these sed scripts, on every kernel.
declare -A edit=(
	[integrity-compat-test]='
# Linux 7.3 has no blake2s in the crypto API (only a library function):
# dm-integrity cannot be given blake2s-256, the activation fails.
/^intformat blake2s-256 /d
# A device formatted with --integrity-legacy-hmac and a journal HMAC:
# integritysetup 2.6.1 opens it with fix_hmac, which Linux 7.3 refuses
# ("fix_hmac is on the command line but not in the superblock"; the
# kernel points to integritysetup 2.8.7).
/# data and journal HMAC/,/# New fixed version/{
	/--integrity-legacy-recalculate/,/close/d
}'
	[verity-compat-test]=''
)

echo "# cryptsetup $(cat "$tests/VERSION"), $(integritysetup --version), $(veritysetup --version)"
# peertests=a,b on the kernel command line runs only those (for debugging;
# judge.sh then reports the others missing).
only="$(tr ' ' '\n' </proc/cmdline | sed -n 's/^peertests=//p' | tr ',' ' ')"
read -ra suites <<<"${only:-integrity-compat-test verity-compat-test}"
echo "KTAP version 1"
echo "1..${#suites[@]}"
n=0
failed=0
for t in "${suites[@]}"; do
	n=$((n + 1))
	rm -rf "$work"
	mkdir -p "$work"
	sed -e "${edit[$t]}" "$tests/$t" >"$work/$t"
	start=$SECONDS
	# Userspace "WARNING:" lines are not kernel reports (judge.sh looks
	# for those); the kernel's own lines reach the console directly.
	(cd "$work" && CRYPTSETUP_PATH=/sbin bash "./$t" 2>&1) >"$work/out"
	rc=$?
	sed -e 's/^/# /' -e 's/WARNING:/Warning:/g' "$work/out"
	echo "# $t: $((SECONDS - start)) s"
	echo "# $t: exit $rc, results: $(grep -o '\[OK\]' "$work/out" | wc -l) ok, $(grep -c 'N/A' "$work/out") n/a"
	grep 'N/A' "$work/out" | sed "s/^/# $t: n\\/a: /"
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $t"
	else
		echo "not ok $n $t"
		failed=1
	fi
done
rm -rf "$work"
[ "$failed" -eq 0 ]
