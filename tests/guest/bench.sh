# Guest script for `make bench`: two null_blk devices that complete in the
# submitting context (irqmode=0), one discarding nothing and storing nothing
# (memory_backed=0: pure submission overhead), one memory-backed with
# discard (realistic copies); two that complete as real disks do, after
# submission returned: from a softirq (irqmode=1) and from a timer 5 us
# later (irqmode=2), storing nothing. Then the benchmark module, which runs
# everything from its init.
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
# Object sizes behind the bytes-per-I/O column: dm-io's own io cache, the
# Rust module's (rdm_io), and the bio and bvec slabs every bio_set shares.
for d in /sys/kernel/slab/io /sys/kernel/slab/rdm_io /sys/kernel/slab/bio-* /sys/kernel/slab/biovec-*; do
	if [ -r "$d/slab_size" ]; then echo "dm-io-bench: slab ${d##*/} $(cat "$d/slab_size")"; fi
done
echo "dm-io-bench: args$args"
# The command line may name fewer devices (scripts/bench-profile.sh).
insmod /modules/dm_io_bench.ko devs=/dev/nullb0,/dev/nullb1,/dev/nullb2,/dev/nullb3 \
	names=mb0,mb1,irq1,irq2 $args
# For scripts/report/insn-profile.py: where the modules' functions were.
if grep -qw dm_io_bench_ksyms=1 /proc/cmdline; then
	grep -E '\[(dm_io_rs|dm_io_bench)\]' /proc/kallsyms | sed 's/^/dm-io-bench: ksym /'
fi
rmmod dm_io_bench
rmmod dm_io_rs
# The run ends with this one KTAP result when every cell ran.
printf 'KTAP version 1\n1..1\nok 1 dm_io_bench\n'
