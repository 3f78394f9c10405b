# Guest script for the rmirror scenarios (run by `make check`): the Rust
# mirror target (dm_rmirror.ko, on dm_io_rs.ko) is driven with dmsetup on
# null_blk legs and the data compared byte for byte. The legs are null_blk
# devices from index 20 on, clear of lib.sh's test devices. The scenarios
# run in order, each needing the last; the run ends with one KTAP result.
kmemleak_clear
insmod /modules/dm_io_rs.ko
insmod /modules/dm_rmirror.ko

LEG_MB=32
SZ=$((LEG_MB * 2048))   # sectors per leg
REGION=1024             # sectors per region: 512 KiB
NR=$((SZ / REGION))     # regions

# pass WHAT: the scenario passed; with its time since the last one.
t_last=$(now)
pass() {
	t=$(now)
	echo "rmirror: PASS $* [$(awk "BEGIN { printf \"%.1f\", $t - $t_last }") s]"
	t_last=$t
}
fail() {
	echo "rmirror: FAIL $*"
	dmesg | grep -i rmirror | tail -n 20
	exit 1
}

# mstat NAME: "<in_sync>/<total> <health> <state>" from dmsetup status.
mstat() {
	dmsetup status "$1" | awk '{ n = $4; print $(5 + n), $(7 + n), $(9 + n) }'
}

# wait_sync NAME: until every region is in sync and the engine is idle.
wait_sync() {
	i=0
	while [ $i -lt 1200 ]; do
		set -- $(mstat "$1") "$1"
		case "$1" in
		*/*) [ "${1%/*}" = "${1#*/}" ] && [ "$3" = idle ] && return 0 ;;
		esac
		sleep 0.1
		i=$((i + 1))
		set -- "$4"
	done
	fail "$1 did not reach sync: $(dmsetup status "$1")"
}

# sum DEV MB [SKIP_MB]: md5 of MB MiB of DEV from SKIP_MB, read with O_DIRECT.
sum() {
	dd if="$1" bs=1M count="$2" skip="${3:-0}" iflag=direct status=none | md5sum | cut -d' ' -f1
}

# put FILE DEV [SEEK_MB]: write FILE to DEV with O_DIRECT.
put() {
	dd if="$1" of="$2" bs=1M seek="${3:-0}" oflag=direct conv=notrunc status=none
}

# fsum FILE: md5 of a file.
fsum() {
	md5sum "$1" | cut -d' ' -f1
}

# dmq NAME: the sysfs queue directory of a dm device.
dmq() {
	echo "/sys/dev/block/$(dmsetup info -c --noheadings -o major,minor --separator : "$1")/queue"
}

devt() {
	cat "/sys/block/$(basename "$(readlink -f "$1")")/dev"
}

# Legs: memory-backed null_blk devices.
for i in 21 22 23 24; do nullb_create $i $LEG_MB; done
dd if=/dev/urandom of=/tmp/a bs=1M count=8 status=none
dd if=/dev/urandom of=/tmp/b bs=1M count=8 status=none
dd if=/dev/urandom of=/tmp/c bs=1M count=16 status=none
A=$(fsum /tmp/a)
B=$(fsum /tmp/b)
C=$(fsum /tmp/c)
zero8=$(dd if=/dev/zero bs=1M count=8 status=none | md5sum | cut -d' ' -f1)

# --- 1. two legs: initial resync, status, table round trip ---------------
put /tmp/c /dev/nullb21 0
dmsetup create m2 --table "0 $SZ rmirror $REGION 2 /dev/nullb21 /dev/nullb22"
wait_sync m2
[ "$(mstat m2)" = "$NR/$NR AA idle" ] || fail "status after sync: $(dmsetup status m2)"
[ "$(sum /dev/nullb22 16)" = "$C" ] || fail "initial resync did not copy leg 0 to leg 1"
t="$(dmsetup table m2)"
[ "$t" = "0 $SZ rmirror $REGION 2 $(devt /dev/nullb21) $(devt /dev/nullb22)" ] || fail "table: $t"
dmsetup reload m2 --table "$t"
dmsetup resume m2
wait_sync m2
[ "$(dmsetup table m2)" = "$t" ] || fail "table after reload: $(dmsetup table m2)"
dmesg | grep -q "rmirror: resync done" || fail "no resync report"
pass "two legs: initial resync copies leg 0, status '$(mstat m2)', table round-trips"

# --- 2. write through the mirror, read back through it and from each leg --
put /tmp/a /dev/mapper/m2 4
[ "$(sum /dev/mapper/m2 8 4)" = "$A" ] || fail "read back through the mirror"
[ "$(sum /dev/nullb21 8 4)" = "$A" ] || fail "leg 0 content"
[ "$(sum /dev/nullb22 8 4)" = "$A" ] || fail "leg 1 content"
# Unaligned small writes across a region boundary (dm splits at regions).
dd if=/tmp/b of=/dev/mapper/m2 bs=4096 count=64 seek=100 oflag=direct conv=notrunc status=none
x=$(dd if=/tmp/b bs=4096 count=64 status=none | md5sum | cut -d' ' -f1)
for d in /dev/mapper/m2 /dev/nullb21 /dev/nullb22; do
	[ "$(dd if=$d bs=4096 count=64 skip=100 iflag=direct status=none | md5sum | cut -d' ' -f1)" = "$x" ] ||
		fail "4 KiB writes across regions on $d"
done
dmsetup remove m2
pass "writes reach both legs; reads through the mirror match"

# --- 3. three legs, nosync, then an explicit resync -------------------------
put /tmp/a /dev/nullb21 0
dmsetup create m3 --table "0 $SZ rmirror $REGION 3 /dev/nullb21 /dev/nullb22 /dev/nullb23 nosync"
[ "$(mstat m3)" = "$NR/$NR AAA idle" ] || fail "nosync status: $(dmsetup status m3)"
dmsetup table m3 | grep -q " nosync$" || fail "nosync not in table"
put /tmp/b /dev/mapper/m3 20
for d in /dev/mapper/m3 /dev/nullb21 /dev/nullb22 /dev/nullb23; do
	[ "$(sum $d 8 20)" = "$B" ] || fail "three legs: $d"
done
dmsetup message m3 0 resync
wait_sync m3
for d in /dev/nullb22 /dev/nullb23; do
	[ "$(sum $d $LEG_MB)" = "$(sum /dev/nullb21 $LEG_MB)" ] || fail "three legs after resync: $d differs"
done
dmsetup remove m3
pass "three legs: writes on all, nosync honoured, message resync makes legs identical"

# --- 4. a leg fails mid-stream (dm-error swapped in under it) ---------------
dmsetup create rl0 --table "0 $SZ linear /dev/nullb21 0"
dmsetup create rl1 --table "0 $SZ linear /dev/nullb22 0"
dmsetup create mf --table "0 $SZ rmirror $REGION 2 /dev/mapper/rl0 /dev/mapper/rl1"
wait_sync mf
# A writer that goes on for a while, 1 MiB at a time.
(
	for i in $(seq 0 15); do
		dd if=/tmp/c of=/dev/mapper/mf bs=1M count=1 skip=$i seek=$i oflag=direct conv=notrunc status=none || exit 1
		sleep 0.1
	done
) &
writer=$!
sleep 0.5
dmsetup load rl1 --table "0 $SZ error"
dmsetup resume rl1
wait $writer || fail "writes failed while one leg was still healthy"
[ "$(mstat mf)" = "$NR/$NR AD idle" ] || fail "status after leg failure: $(dmsetup status mf)"
[ "$(sum /dev/mapper/mf 16)" = "$C" ] || fail "read through the degraded mirror"
[ "$(sum /dev/nullb21 16)" = "$C" ] || fail "the healthy leg misses data"
put /tmp/a /dev/mapper/mf 24
[ "$(sum /dev/nullb21 8 24)" = "$A" ] || fail "writes after the failure"
pass "leg 1 failed mid-stream: writes go on, status '$(mstat mf)', healthy leg complete"

# --- 5. replace the leg, resync, all legs identical; writes during resync --
dd if=/dev/urandom of=/dev/nullb23 bs=1M count=$LEG_MB oflag=direct status=none
dmsetup load rl1 --table "0 $SZ linear /dev/nullb23 0"
dmsetup resume rl1
dmsetup message mf 0 resync
# Writes while regions are being copied must not be undone by the copy.
put /tmp/b /dev/mapper/mf 16
put /tmp/b /dev/mapper/mf 0
wait_sync mf
[ "$(mstat mf)" = "$NR/$NR AA idle" ] || fail "status after resync: $(dmsetup status mf)"
[ "$(sum /dev/nullb23 $LEG_MB)" = "$(sum /dev/nullb21 $LEG_MB)" ] || fail "legs differ after resync"
[ "$(sum /dev/nullb23 8 16)" = "$B" ] && [ "$(sum /dev/nullb23 8 0)" = "$B" ] ||
	fail "a write during resync was lost"
[ "$(sum /dev/nullb23 8 24)" = "$A" ] || fail "resync did not copy the degraded-time write"
pass "replaced leg resynchronised: legs identical, writes during resync kept"

# --- 6. a read error on the default leg is retried on the other leg --------
dmsetup load rl0 --table "0 $SZ error"
dmsetup resume rl0
[ "$(sum /dev/mapper/mf 8 24)" = "$A" ] || fail "read not retried on leg 1"
[ "$(mstat mf)" = "$NR/$NR DA idle" ] || fail "status after read failure: $(dmsetup status mf)"
# With no healthy leg, I/O fails with EIO.
dmsetup load rl1 --table "0 $SZ error"
dmsetup resume rl1
if dd if=/tmp/a of=/dev/mapper/mf bs=1M count=1 oflag=direct conv=notrunc status=none 2>/dev/null; then
	fail "a write with no healthy leg succeeded"
fi
if dd if=/dev/mapper/mf of=/dev/null bs=1M count=1 iflag=direct status=none 2>/dev/null; then
	fail "a read with no healthy leg succeeded"
fi
[ "$(mstat mf)" = "$NR/$NR DD idle" ] || fail "status with both legs failed: $(dmsetup status mf)"
dmsetup remove mf
dmsetup remove rl0
dmsetup remove rl1
pass "read error retried on the other leg; with no leg left, reads and writes fail (EIO)"

# --- 6b. three legs, two of them failing: a read is retried twice ----------
dmsetup create rl0 --table "0 $SZ linear /dev/nullb21 0"
dmsetup create rl1 --table "0 $SZ linear /dev/nullb22 0"
dmsetup create rl2 --table "0 $SZ linear /dev/nullb23 0"
dmsetup create m3f --table "0 $SZ rmirror $REGION 3 /dev/mapper/rl0 /dev/mapper/rl1 /dev/mapper/rl2 nosync"
put /tmp/b /dev/mapper/m3f 8
for l in rl0 rl1; do
	dmsetup load $l --table "0 $SZ error"
	dmsetup resume $l
done
[ "$(sum /dev/mapper/m3f 8 8)" = "$B" ] || fail "read not retried up to the third leg"
[ "$(mstat m3f)" = "$NR/$NR DDA idle" ] || fail "status with two failed legs: $(dmsetup status m3f)"
dmsetup remove m3f
for l in rl0 rl1 rl2; do dmsetup remove $l; done
pass "three legs, two failing: reads retried until the good leg, status '$NR/$NR DDA idle'"

# --- 6c. the same in a mirror that starts past sector 0 of its device -------
# A read retried twice must still read the sector it asked for, relative to
# the mirror: a second target before it moves the mirror's first sector.
OFF=$((8 * 2048))
dmsetup create rl0 --table "0 $SZ linear /dev/nullb21 0"
dmsetup create rl1 --table "0 $SZ linear /dev/nullb22 0"
dmsetup create rl2 --table "0 $SZ linear /dev/nullb23 0"
printf '0 %s zero\n%s %s rmirror %s 3 /dev/mapper/rl0 /dev/mapper/rl1 /dev/mapper/rl2 nosync\n' \
	"$OFF" "$OFF" "$SZ" "$REGION" | dmsetup create m3o
put /tmp/a /dev/mapper/m3o 16
put /tmp/b /dev/mapper/m3o 24
for l in rl0 rl1; do
	dmsetup load $l --table "0 $SZ error"
	dmsetup resume $l
done
[ "$(sum /dev/mapper/m3o 8 24)" = "$B" ] && [ "$(sum /dev/mapper/m3o 8 16)" = "$A" ] ||
	fail "a read retried twice in a mirror past sector 0 read another place"
dmsetup remove m3o
for l in rl0 rl1 rl2; do dmsetup remove $l; done
pass "a mirror past sector 0: reads retried twice read their own sectors"

# --- 7. flushes reach every leg; discards pass on ---------------------------
nullb_create 25 $LEG_MB cache_size=16
nullb_create 26 $LEG_MB cache_size=16
dmsetup create mc --table "0 $SZ rmirror $REGION 2 /dev/nullb25 /dev/nullb26 nosync"
flushes() { awk '{ print $16 }' /sys/block/$1/stat; }
f9=$(flushes nullb25)
f10=$(flushes nullb26)
dd if=/tmp/a of=/dev/mapper/mc bs=1M oflag=direct conv=fsync,notrunc status=none
[ "$(flushes nullb25)" -gt "$f9" ] && [ "$(flushes nullb26)" -gt "$f10" ] ||
	fail "flush did not reach both legs ($f9 -> $(flushes nullb25), $f10 -> $(flushes nullb26))"
[ "$(sum /dev/nullb26 8)" = "$A" ] || fail "write-back cached leg content"
dmsetup remove mc
nullb_create 27 $LEG_MB discard=1
nullb_create 28 $LEG_MB discard=1
dmsetup create md --table "0 $SZ rmirror $REGION 2 /dev/nullb27 /dev/nullb28 nosync"
put /tmp/a /dev/mapper/md
[ "$(cat "$(dmq md)/discard_max_bytes")" -gt 0 ] || fail "discard not offered"
blkdiscard -o 0 -l 8388608 /dev/mapper/md
for d in /dev/nullb27 /dev/nullb28; do
	[ "$(sum $d 8)" = "$zero8" ] || fail "discard did not reach $d"
done
dmsetup remove md
dmsetup create mn --table "0 $SZ rmirror $REGION 2 /dev/nullb21 /dev/nullb22 nosync"
[ "$(cat "$(dmq mn)/discard_max_bytes")" = 0 ] || fail "discard offered without leg support"
dmsetup remove mn
pass "empty flushes reach every leg; discards pass on only where legs support them"

# --- 8. bad table lines -----------------------------------------------------
bad() { # EXPECTED_MESSAGE TABLE
	if dmsetup create bad --table "$2" 2>/tmp/err; then
		fail "table accepted: $2"
	fi
	dmesg | tail -n 5 | grep -q "$1" || fail "no '$1' for: $2 ($(dmesg | tail -n 2))"
	[ ! -e /dev/mapper/bad ] || fail "half-built device left for: $2"
	dmsetup remove bad 2>/dev/null || true
}
bad "device lookup failed" "0 $SZ rmirror $REGION 2 /dev/nullb21 /dev/nosuchdev"
bad "at least one leg" "0 $SZ rmirror $REGION 0"
legs65=""
for i in $(seq 65); do legs65="$legs65 /dev/nullb21"; done
bad "more legs than one dm-io request" "0 $SZ rmirror $REGION 65$legs65"
bad "power of two" "0 $SZ rmirror 1000 2 /dev/nullb21 /dev/nullb22"
bad "shorter than the target" "0 $((SZ * 4)) rmirror $REGION 2 /dev/nullb21 /dev/nullb22"
bad "wrong number of arguments" "0 $SZ rmirror $REGION 3 /dev/nullb21 /dev/nullb22"
bad "unknown feature" "0 $SZ rmirror $REGION 2 /dev/nullb21 /dev/nullb22 fast"
bad "not enough arguments" "0 $SZ rmirror"
pass "bad table lines refused with a clear message, nothing left behind"

# --- 9. suspend pauses resync; removal with copy I/O in flight -------------
dd if=/dev/urandom of=/dev/nullb24 bs=1M count=$LEG_MB oflag=direct status=none
dmsetup create ms --table "0 $SZ rmirror 8 2 /dev/nullb21 /dev/nullb24"
dmsetup suspend ms
s1=$(mstat ms)
sleep 0.5
s2=$(mstat ms)
[ "$s1" = "$s2" ] || fail "resync went on while suspended: $s1 -> $s2"
case "$s2" in *" frozen") ;; *) fail "suspended status: $s2" ;; esac
dmsetup resume ms
sleep 0.2
dmsetup remove ms
dmsetup create ms --table "0 $SZ rmirror 8 2 /dev/nullb21 /dev/nullb24"
dd if=/dev/mapper/ms of=/dev/null bs=64k iflag=direct status=none &
reader=$!
sleep 0.1
dmsetup remove --force ms || true
wait $reader || true
dmsetup remove ms 2>/dev/null || true
[ ! -e /dev/mapper/ms ] || fail "ms still there"
pass "suspend freezes resync (status '$s2'); removal with I/O in flight is clean"

# --- 10. the constructor with each of its allocations failing in turn ------
# fail-nth in the ioctl's task (tests/guest/dm-failnth.c); the "keep"
# device holds dm-core's bio slab of the mirror's size, whose creation
# failing would dump a stack. More in tests/guest/rmirror-faults.sh, which
# `make soak` runs on the debug kernel: there each of the ~400 loads takes
# a quarter of a second, so this run leaves them to it.
if [ ! -e "$KMEMLEAK" ]; then
	setup_failnth_faults
	dmsetup create keep --table "0 $SZ rmirror 8 1 /dev/nullb24"
	dm-failnth load mfn $SZ rmirror "8 2 /dev/nullb21 /dev/nullb22" >/tmp/fnth ||
		fail "constructor under fail-nth: $(cat /tmp/fnth)"
	dmsetup remove keep
	pass "constructor, each allocation failing in turn: $(sed 's/^dm-failnth: //' /tmp/fnth)"
fi

rmmod dm_rmirror
rmmod dm_io_rs
# On the debug kernel: nothing the mirrors allocated may be left.
kmemleak_check
pass "modules unloaded cleanly"
printf 'KTAP version 1\n1..1\nok 1 rmirror_scenarios\n'

