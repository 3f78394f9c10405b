#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark's console lines into the results table.

    bench-report.py CONSOLE.txt RESULTS.md

Reads the `dm-io-bench: cell ...` lines of bench/dm_io_bench.c (one per
round, device, workload and implementation), its memory phase's `held`
lines and the `slab-delta` lines tests/guest/bench.sh prints for them,
prints a markdown table and writes it, with how each column was computed,
to RESULTS.md.
"""

import re
import statistics
import sys
from collections import OrderedDict, defaultdict

# c2 is the control: C dm_io() through a second client, in the same turns.
IMPLS = ("c", "rust", "floor", "c2")


def parse(path):
    cells = defaultdict(lambda: defaultdict(dict))  # (dev, wl) -> impl -> round -> d
    order = OrderedDict()
    start = {}
    held = {}  # seq -> the held line
    deltas = defaultdict(list)  # seq -> [(cache, objects, slab size)]
    with open(path, errors="replace") as f:
        for line in f:
            m = re.search(r"dm-io-bench: (cell|start|held|slab-delta) (.*)$", line)
            if not m:
                continue
            kind, rest = m.groups()
            kv = dict(p.split("=", 1) for p in rest.split() if "=" in p)
            if kind == "start":
                start = kv
            elif kind == "held":
                held[int(kv["seq"])] = kv
            elif kind == "slab-delta":
                deltas[int(kv["seq"])].append((kv["cache"], int(kv["objs"]), int(kv["size"])))
            else:
                key = (kv["dev"], kv["wl"])
                order[key] = True
                cells[key][kv["impl"]][int(kv["round"])] = {
                    k: (v if k in ("dev", "wl", "impl", "mem") else int(v)) for k, v in kv.items()
                }
    return order, cells, start, memory(held, deltas)


def memory(held, deltas):
    """(workload, impl) -> (bytes per request, {cache: objects per request}),
    from the slab objects the memory phase's held requests added.

    The requests of one hold are all of one shape, so each holds the same
    objects: a cache's change over N requests is a multiple of N plus what
    else allocated or freed meanwhile (the nothing-held pair shows how much).
    Each cache's change is rounded to whole objects per request; the
    nothing-held pair is reported raw."""
    out = {}
    for seq, kv in held.items():
        reqs = int(kv["reqs"])
        rows = deltas.get(seq, [])
        if kv["wl"] == "nothing":
            caches = {c: objs / reqs for c, objs, _ in rows}
            total = sum(objs * size for _, objs, size in rows) / reqs
        else:
            caches = {c: round(objs / reqs) for c, objs, _ in rows if round(objs / reqs)}
            total = sum(round(objs / reqs) * size for _, objs, size in rows)
        out[(kv["wl"], kv["impl"])] = (total, caches)
    return out


def verdict(ratio, band):
    """Faster or slower only outside the control's band."""
    if band is None:
        return "?"
    if ratio > band[1]:
        return "faster"
    if ratio < band[0]:
        return "slower"
    return "within noise"


def fmt_rate(x):
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.1f}"


def cache_list(caches):
    return ", ".join(f"{c} ×{n:.3g}" for c, n in sorted(caches.items()) if round(n, 2)) or "none"


def main():
    console, results = sys.argv[1], sys.argv[2]
    order, cells, start, mem = parse(console)
    if not order:
        sys.exit("bench-report: no result lines in " + console)

    def b_io(wl, impl):
        # The two-CPU rows hold async_write_4k_qd64's requests.
        key = ("async_write_4k_qd64" if wl.startswith("2cpu") else wl, impl)
        return f"{mem[key][0]:,.0f}" if key in mem else "–"

    header = (
        "| dev | workload | C op/s | Rust op/s | floor op/s | C MB/s | Rust MB/s "
        "| Rust/C (min–max) | control C/C (min–max) | Rust | C ns/op over floor "
        "| Rust ns/op over floor | bios/op | C B/io | Rust B/io |"
    )
    rows = [header, "|" + "---|" * 15]
    verdicts = defaultdict(list)
    for key in order:
        dev, wl = key
        per = cells[key]
        # Rounds in which C, Rust and the floor ran (dm_io_bench.impls may
        # have left some out: scripts/bench-profile.sh).
        rounds = sorted(
            set.intersection(*({r for r in per[i] if per[i][r]["ops"]} for i in IMPLS[:3]))
        )
        if not rounds:
            continue
        have = [i for i in IMPLS if all(per[i].get(r, {}).get("ops") for r in rounds)]
        # Per round: the median operation's time (see dm_io_bench.c).
        ns_op = {i: [per[i][r]["slice_ps"] / 1000 for r in rounds] for i in have}
        ops_s = {i: [1e9 / x for x in ns_op[i]] for i in have}
        med = {i: statistics.median(ops_s[i]) for i in have}
        nbytes = per["c"][rounds[0]]["bytes"]
        mbs = {i: med[i] * nbytes / 1e6 for i in have}
        ratio = [ops_s["rust"][k] / ops_s["c"][k] for k in range(len(rounds))]
        band = None
        band_s = "–"
        if "c2" in have:
            ctrl = [ops_s["c2"][k] / ops_s["c"][k] for k in range(len(rounds))]
            band = (min(ctrl), max(ctrl))
            band_s = f"{statistics.median(ctrl):.2f} ({band[0]:.2f}–{band[1]:.2f})"
        v = verdict(statistics.median(ratio), band)
        verdicts[v].append(f"{dev} {wl} {statistics.median(ratio):.2f}")
        over = {
            i: statistics.median(ns_op[i][k] - ns_op["floor"][k] for k in range(len(rounds)))
            for i in ("c", "rust")
        }
        bios = {
            i: sum(per[i][r]["bios"] for r in rounds) / sum(per[i][r]["ops"] for r in rounds)
            for i in IMPLS[:3]
        }
        bios_s = "/".join(f"{bios[i]:.3g}" for i in IMPLS[:3])
        d = per["c"][rounds[0]]
        name = wl
        if wl.startswith("2cpu") and d.get("cpus", 2) < 2:
            name += f" (only {d['cpus']} CPU online)"
        rows.append(
            f"| {dev} | {name} | {fmt_rate(med['c'])} | {fmt_rate(med['rust'])} | {fmt_rate(med['floor'])} "
            f"| {fmt_rate(mbs['c'])} | {fmt_rate(mbs['rust'])} "
            f"| {statistics.median(ratio):.2f} ({min(ratio):.2f}–{max(ratio):.2f}) | {band_s} | {v} "
            f"| {over['c']:,.0f} | {over['rust']:,.0f} | {bios_s} | {b_io(wl, 'c')} | {b_io(wl, 'rust')} |"
        )
    nrounds = max(len(v) for per in cells.values() for v in per.values())
    table = "\n".join(rows)
    print(table)
    summary = (
        f"Rust/C outside the control's band: faster on {len(verdicts['faster'])} rows, "
        f"slower on {len(verdicts['slower'])}, within noise on {len(verdicts['within noise'])}"
        + (f", no control on {len(verdicts['?'])}" if verdicts["?"] else "")
        + "."
        + ("\nSlower: " + "; ".join(verdicts["slower"]) + "." if verdicts["slower"] else "")
        + ("\nWithin noise: " + "; ".join(verdicts["within noise"]) + "." if verdicts["within noise"] else "")
    )
    print(summary)

    mem_rows = [
        "| workload | C B/io | Rust B/io | floor B/io | control C B/io | C holds | Rust holds |",
        "|" + "---|" * 7,
    ]
    for wl in OrderedDict((w, True) for w, _ in mem):
        if (wl, "c") not in mem:
            continue
        mem_rows.append(
            f"| {wl} | {b_io(wl, 'c')} | {b_io(wl, 'rust')} | {b_io(wl, 'floor')} | {b_io(wl, 'c2')} "
            f"| {cache_list(mem[(wl, 'c')][1])} | {cache_list(mem.get((wl, 'rust'), (0, {}))[1])} |"
        )
    if ("nothing", "none") in mem:
        noise = mem[("nothing", "none")]
        mem_rows.append(
            f"| (nothing held) | {noise[0]:,.0f} | | | | {cache_list(noise[1])} | |"
        )
    mem_table = "\n".join(mem_rows) if len(mem_rows) > 2 else "(no memory phase in this run)"
    print(mem_table)
    notes = f"""# dm-io benchmark results

{nrounds} rounds; in every round each (device, workload) cell runs C
`dm_io()`, `rdm_io()`, the floor and C `dm_io()` again through a second
client (the control) in turns, one operation (or one batch of asynchronous
requests or kcopyd jobs) each, in an order that rotates, until each has had
{start.get('ms', '?')} ms or 4000 operations. A round's figure for an
implementation is its median operation, so host hiccups that hit some
operations do not move it. Guest: QEMU TCG, 2 vCPUs, on a 2-core host:
absolute numbers are far below native; compare within a row.

{table}

{summary}

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
- control C/C: the second C client's op/s over the first's, in the same
  rounds: what identical code measures as a difference in this cell. The
  Rust column says faster or slower only when Rust/C's median lies outside
  the control's min–max; otherwise within noise.
- ns/op over floor: per round, ns per operation of the implementation
  minus that of the floor (the same bios built and submitted by hand),
  median over the rounds.
- bios/op: C/Rust/floor, bios the device accounted (requests plus
  merges in /sys/block/*/stat terms) per operation; empty flushes to a
  device without a volatile cache end before accounting, hence 0.
- B/io: measured, bytes of slab objects one request of the workload's
  shape holds while in flight (the table below; `2cpu_*` rows hold
  `async_write_4k_qd64`'s requests).

### Memory a request holds in flight

{mem_table}

The module's memory phase (`dm_io_bench.mem=1`, after the timed rounds in
the same boot) holds 256 requests of each workload's shape on a disk of its
own that keeps every bio until told to end it (a bio-based disk with a
volatile cache, so that flushes and FUA reach it). Before and while they
are held, the guest script shrinks every slab cache (so that no object
hides in a per-CPU slab) and reads its object count; B/io is the change,
objects times `slab_size`, over the 256 requests; since the requests are
alike, each cache's change is rounded to whole objects per request (what
else the guest allocated or freed meanwhile is the "nothing held" row's
raw change: a pair of snapshots with no request held). Asynchronous requests
are submitted by the module; synchronous ones by 256 threads made before
the first snapshot, so that the threads' own memory does not count and a
synchronous io object on a thread's stack counts as none. kcopyd rows
hold a job's write (one bio per destination). The control column runs C
again through its second client: where it differs from C, the snapshots
caught something else allocating. "holds": slab objects per request by
cache (`io` is dm-io.c's io cache; `rdm_io` the Rust module's; `bio-N`
a bio set's bios with N bytes of front pad and bio; `biovec-N` bvec
arrays; caches that merged with another show its name).
"""
    with open(results, "w") as f:
        f.write(notes)


if __name__ == "__main__":
    main()
