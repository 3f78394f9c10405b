#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's console lines into the results table.

    bench-report.py CONSOLE.txt RESULTS.md

Reads the `dm-io-bench: cell ...` lines of bench/dm_io_bench.c (one per
round, device, workload and implementation) and the `dm-io-bench: slab`
lines of tests/guest/bench.sh, prints a markdown table and writes it, with
how each column was computed, to RESULTS.md.
"""

import re
import statistics
import sys
from collections import OrderedDict, defaultdict

IMPLS = ("c", "rust", "floor")
BIO_INLINE_VECS = 4
BIO_MAX_VECS = 256
SECTORS_PER_PAGE = 8  # 4 KiB pages


def parse(path):
    cells = defaultdict(lambda: defaultdict(dict))  # (dev, wl) -> impl -> round -> d
    order = OrderedDict()
    slabs = {}
    start = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = re.search(r"dm-io-bench: (cell|slab|start) (.*)$", line)
            if not m:
                continue
            kind, rest = m.groups()
            if kind == "slab":
                name, size = rest.split()
                slabs[name] = int(size)
                continue
            kv = dict(p.split("=", 1) for p in rest.split() if "=" in p)
            if kind == "start":
                start = kv
                continue
            key = (kv["dev"], kv["wl"])
            order[key] = True
            cells[key][kv["impl"]][int(kv["round"])] = {
                k: (v if k in ("dev", "wl", "impl", "mem") else int(v)) for k, v in kv.items()
            }
    return order, cells, slabs, start


def bvec_bytes(nr_vecs, slabs):
    """Bytes of the bvec array a bio of nr_vecs takes from its bio_set."""
    if nr_vecs <= BIO_INLINE_VECS:
        return 0  # inline, inside the bio object
    for cap, name in ((16, "biovec-16"), (64, "biovec-64"), (128, "biovec-128")):
        if nr_vecs <= cap:
            return slabs.get(name, cap * 16)
    return slabs.get("biovec-max", BIO_MAX_VECS * 16)


def bytes_per_io(impl, d, slabs, bio_obj, control=False):
    """Heap bytes one request holds while in flight, from the allocation
    rules of each implementation (see the notes written with the table)."""
    regions, sectors, mem, is_async = d["regions"], d["sectors"], d["mem"], d["async"]
    if control and impl == "rust":
        impl = "c"  # the control run's second column is C too
    if impl == "c":
        io = slabs.get("io", 64)  # upstream allocates from its pool, sync too
    else:
        io = 0
    pages = -(-sectors // SECTORS_PER_PAGE)
    if impl == "rust" and is_async:
        # A 64-byte object of its slab cache (rdm_io), unless the
        # request is one bio with no work left for after a read (vmalloc
        # invalidation, zeroing a caller's bio): that bio carries the io
        # object in its front pad (the client's bios stay 192-byte slab
        # objects). Synchronous requests keep it on the caller's stack.
        read = "read" in d["wl"] and "write" not in d["wl"]
        one_bio = regions == 1 and (mem in ("none", "bio", "kmem") or pages + 1 <= BIO_MAX_VECS)
        solo = one_bio and not (read and mem in ("vma", "bio"))
        # A request of several bios without pages of their own (clones,
        # empty flushes, discards): the first comes from a bio set without
        # vector tables, whose 64-byte front pad holds the io object in a
        # slab object of the others' size.
        hosted = regions > 1 and mem in ("none", "bio")
        io = 0 if solo or hosted else slabs.get("rdm_io", 64)
    if mem in ("none", "bio"):
        vecs = 0  # no data pages / a clone shares the source's bvecs
    elif impl == "floor":
        vecs = 1 if mem == "kmem" else pages
    elif impl == "rust" and mem == "kmem":
        vecs = 1  # one multi-page bvec for physically contiguous memory
    else:
        vecs = min(pages + 1, BIO_MAX_VECS)  # do_region()'s num_bvecs
    return io + regions * (bio_obj + bvec_bytes(vecs, slabs))


def fmt_rate(x):
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.1f}"


def main():
    console, results = sys.argv[1], sys.argv[2]
    order, cells, slabs, start = parse(console)
    if not order:
        sys.exit("bench-report: no result lines in " + console)
    bio_slab = int(start.get("bio_slab", 0))
    control = start.get("control", "0") == "1"
    bio_obj = slabs.get(f"bio-{bio_slab}", bio_slab)

    header = (
        "| dev | workload | C op/s | Rust op/s | floor op/s | C MB/s | Rust MB/s | floor MB/s "
        "| Rust/C (min–max) | C ns/op over floor | Rust ns/op over floor | bios/op | C B/io | Rust B/io |"
    )
    rows = [header, "|" + "---|" * 14]
    for key in order:
        dev, wl = key
        per = cells[key]
        # Rounds in which every implementation ran (dm_io_bench.impls may
        # have left some out: scripts/bench-profile.sh).
        rounds = sorted(
            set.intersection(*({r for r in per[i] if per[i][r]["ops"]} for i in IMPLS))
        )
        if not rounds:
            continue
        # Per round: the median operation's time (see dm_io_bench.c).
        ns_op = {i: [per[i][r]["slice_ps"] / 1000 for r in rounds] for i in IMPLS}
        ops_s = {i: [1e9 / x for x in ns_op[i]] for i in IMPLS}
        med = {i: statistics.median(ops_s[i]) for i in IMPLS}
        nbytes = per["c"][rounds[0]]["bytes"]
        mbs = {i: med[i] * nbytes / 1e6 for i in IMPLS}
        ratio = [ops_s["rust"][k] / ops_s["c"][k] for k in range(len(rounds))]
        over = {
            i: statistics.median(ns_op[i][k] - ns_op["floor"][k] for k in range(len(rounds)))
            for i in ("c", "rust")
        }
        bios = {
            i: sum(per[i][r]["bios"] for r in rounds) / sum(per[i][r]["ops"] for r in rounds)
            for i in IMPLS
        }
        bios_s = "/".join(f"{bios[i]:.3g}" for i in IMPLS)
        d = per["c"][rounds[0]]
        b_io = {i: bytes_per_io(i, d, slabs, bio_obj, control) for i in ("c", "rust")}
        if wl.startswith("2cpu") and d.get("cpus", 2) < 2:
            wl += f" (only {d['cpus']} CPU online)"
        rows.append(
            f"| {dev} | {wl} | {fmt_rate(med['c'])} | {fmt_rate(med['rust'])} | {fmt_rate(med['floor'])} "
            f"| {fmt_rate(mbs['c'])} | {fmt_rate(mbs['rust'])} | {fmt_rate(mbs['floor'])} "
            f"| {statistics.median(ratio):.2f} ({min(ratio):.2f}–{max(ratio):.2f}) "
            f"| {over['c']:,.0f} | {over['rust']:,.0f} | {bios_s} | {b_io['c']:,} | {b_io['rust']:,} |"
        )
    nrounds = max(len(v) for per in cells.values() for v in per.values())
    table = "\n".join(rows)
    print(table)

    slab_list = ", ".join(f"{k} {v} B" for k, v in sorted(slabs.items()))
    warn = (
        "\n**Control run**: the Rust columns are a second client of C `dm_io()`; "
        "Rust/C shows the bench's own noise.\n"
        if control
        else ""
    )
    if control:
        print("(control run: the Rust columns are C dm_io() with a second client)")
    notes = f"""# dm-io benchmark results
{warn}
{nrounds} rounds; in every round each (device, workload) cell runs C
`dm_io()`, `rdm_io()` and the floor in turns, one operation (or one batch
of asynchronous requests or kcopyd jobs) each, in an order that rotates, until each has
had {start.get('ms', '?')} ms or 4000 operations. A round's figure for an
implementation is its median operation, so host hiccups that hit some
operations do not move it. Guest: QEMU TCG, 2 vCPUs, on a 2-core host
shared with other work: absolute numbers are far below native; compare
within a row.

{table}

- dev: `mb0` null_blk memory_backed=0 (submission overhead only),
  `mb1` memory_backed=1 with discard (data copied); both irqmode=0, so
  bios complete in the submitting context. `irq1` and `irq2` complete as
  real disks do, after submission returned (memory_backed=0): from a
  softirq (irqmode=1) and from a timer (irqmode=2, completion_nsec=5000);
  they run the synchronous, asynchronous, raid1, kcopyd, integrity, bufio
  and two-CPU 4 KiB rows. Under TCG neither waits as a disk does: irq1's
  softirq runs before `submit_bio()` returns (its rows take mb0's paths),
  and the guest kernel has no high-resolution timers, so irq2's timer
  fires on the next 4 ms tick: a synchronous request waits a tick on
  every implementation, and those rows show only that neither adds a
  wait of its own.
- op/s, MB/s: medians over the rounds (MB = 10^6 bytes; discard counts
  the discarded bytes, flush moves none). An op is a request (asynchronous
  rows: a batch's time over its requests; `raid1_*`: bytes written to all
  regions), a kcopyd job (`kcopyd_*`: the 512 KiB copied, read once and
  written to every destination), or, for `2cpu_*`, one request of either
  CPU: the wall time of a step in which every CPU ran its batch of 64,
  over all their requests (aggregate throughput).
- Rust/C: Rust op/s divided by C op/s in the same round; median and
  (min–max) over the rounds. Above 1 means Rust is faster.
- ns/op over floor: per round, ns per operation of the implementation
  minus that of the floor (the same bios built and submitted by hand),
  median over the rounds.
- bios/op: C/Rust/floor, bios the device accounted (requests plus
  merges in /sys/block/*/stat terms) per operation; empty flushes to a
  device without a volatile cache end before accounting, hence 0.
- B/io: heap bytes one request holds while in flight: the io object
  (C: `struct io` from its mempool for sync and async requests; Rust:
  a 64-byte object of its slab cache (rdm_io) for async requests
  of several bios; none for an async request that is one bio, which
  carries its io object in the bio's 24-byte front pad (the client's
  bios stay 192-byte slab objects), nor for an async request of several
  clones or empty bios, whose first bio holds it in a 64-byte front pad
  (a bio set without vector tables: the same slab object size); none for
  sync, whose io lives on the
  caller's stack) plus, per bio, the bio object of the client's bio_set
  and the bvec array it allocates beyond the {BIO_INLINE_VECS} inline
  vecs (C: `do_region()` asks for pages + 1 vecs; Rust the same, except
  one vec for kmalloc memory; clones and no-data bios none). For
  `kcopyd_*` the request is a job's write (one bio per destination; its
  read, one bio, has completed by then). Object
  sizes are the guest's /sys/kernel/slab/*/slab_size: {slab_list}.
"""
    with open(results, "w") as f:
        f.write(notes)


if __name__ == "__main__":
    main()
