# Guest script for `make bench`: two null_blk devices that complete in the
# submitting context (irqmode=0), one discarding nothing and storing nothing
# (memory_backed=0: pure submission overhead), one memory-backed with
# discard (realistic copies); two that complete as real disks do, after
# submission returned: from a softirq (irqmode=1) and from a timer 5 us
# later (irqmode=2), storing nothing. Then the benchmark module, which runs
# everything from its init, and its memory phase (unless dm_io_bench_mem=0
# is on the kernel command line).
# Parameters come from the kernel command line: dm_io_bench.rounds=N ...
nullb_create 0 1024 memory_backed=0 irqmode=0
nullb_create 1 1024 irqmode=0 discard=1
nullb_create 2 1024 memory_backed=0 irqmode=1
nullb_create 3 1024 memory_backed=0 irqmode=2 completion_nsec=5000
args=""
for a in $(cat /proc/cmdline); do
	case "$a" in dm_io_bench.*) args="$args ${a#dm_io_bench.}" ;; esac
done
insmod /modules/dm_io_rs.ko
echo "dm-io-bench: args$args"
# The command line may name fewer devices (scripts/bench-profile.sh).
insmod /modules/dm_io_bench.ko devs=/dev/nullb0,/dev/nullb1,/dev/nullb2,/dev/nullb3 \
	names=mb0,mb1,irq1,irq2 $args
# For scripts/report/insn-profile.py: where the modules' functions were.
if grep -qw dm_io_bench_ksyms=1 /proc/cmdline; then
	grep -E '\[(dm_io_rs|dm_io_bench)\]' /proc/kallsyms | sed 's/^/dm-io-bench: ksym /'
fi
rmmod dm_io_bench

# The memory phase (dm_io_bench.c, "memory held per request"): at each odd
# point the module waits before submitting, at each even one while its
# requests are held; here each point is a snapshot of every slab cache
# (aliases skipped, each shrunk first so that per-CPU slabs do not hide
# objects), and each even point prints what changed since the odd one.
# The first pair holds nothing: what the measurement itself moves.
# Between the two the loop runs only shell builtins into files that exist:
# no process, inode or dentry of its own lands in the difference.
slab_snapshot() {
	for d in /sys/kernel/slab/*; do
		# Shrunk just before it is read: what the reads of the caches
		# before it allocated and freed is no longer on a per-CPU slab.
		[ -L "$d" ] && continue
		echo 1 >"$d/shrink"
		read -r objs _ <"$d/objects"
		read -r size <"$d/slab_size"
		echo "${d##*/} $objs $size"
	done
}
if ! grep -qw dm_io_bench_mem=0 /proc/cmdline; then
	slab_snapshot >/tmp/slab.before
	slab_snapshot >/tmp/slab.after
	insmod /modules/dm_io_bench.ko mem=1 $args &
	pid=$!
	p=/sys/module/dm_io_bench/parameters
	seen=0
	while kill -0 "$pid" 2>/dev/null; do
		seq=0
		[ -r "$p/mem_seq" ] && read -r seq <"$p/mem_seq"
		[ "$seq" -gt "$seen" ] || continue
		if [ $((seq % 2)) = 1 ]; then
			slab_snapshot >/tmp/slab.before
		else
			slab_snapshot >/tmp/slab.after
			awk -v seq="$seq" 'NR == FNR { before[$1] = $2; next }
				$2 != before[$1] { print "dm-io-bench: slab-delta seq=" seq " cache=" $1 " objs=" ($2 - before[$1]) " size=" $3 }' \
				/tmp/slab.before /tmp/slab.after
		fi
		echo "$seq" >"$p/mem_ack"
		seen=$seq
	done
	if wait "$pid"; then
		rmmod dm_io_bench
	else
		echo "dm-io-bench: memory phase failed"
	fi
fi
rmmod dm_io_rs
# The run ends with this one KTAP result when every cell ran.
printf 'KTAP version 1\n1..1\nok 1 dm_io_bench\n'
