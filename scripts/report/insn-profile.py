#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Guest instructions per operation, per kernel function, from boots of
`make bench` or of the fio benchmark under the instruction-count plugin
(scripts/lib/insn-profile.c).

    insn-profile.py SYSTEM_MAP BASE_DIR RUN_DIR[:RUN_BASE_DIR] [...]

Each directory holds a boot's console.txt and profile.txt. BASE_DIR is a
boot that ran no implementation (dm_io_bench.impls=0): its counts, the
boot and the benchmark's own loop, are taken off every other boot's; the
rest is divided by the operations that boot ran (the cells' ops=, or fio's
"profiled ops="). A RUN_DIR may name a base of its own, a boot that did
the same with fewer operations: the difference of the two is then the
cost of the extra operations alone, without what runs once per boot or
per fio job. Prints one column per RUN_DIR, functions by the largest
difference first.
"""
import bisect
import re
import sys
from collections import defaultdict


def symbols(system_map, consoles):
    syms = []
    with open(system_map) as f:
        for line in f:
            addr, kind, name = line.split()[:3]
            if kind in "tTwW":
                syms.append((int(addr, 16), name))
    for console in consoles:
        with open(console) as f:
            for line in f:
                m = re.search(r"(?:dm-io|fio)-bench: ksym ([0-9a-f]+) [tTwW] (\S+)\s+\[(\w+)\]", line)
                if m:
                    syms.append((int(m.group(1), 16), f"{m.group(2)} [{m.group(3)}]"))
    syms = sorted(set(syms))
    return [a for a, _ in syms], [n for _, n in syms]


def counts(profile, addrs, names):
    per = defaultdict(int)
    with open(profile) as f:
        for line in f:
            vaddr, insns, execs = line.split()
            i = bisect.bisect_right(addrs, int(vaddr, 16)) - 1
            per[names[i] if i >= 0 else "?"] += int(insns) * int(execs)
    return per


def ops(console):
    total = 0
    with open(console) as f:
        for line in f:
            if "dm-io-bench: cell" in line or "fio-bench: profiled" in line:
                total += int(re.search(r" ops=(\d+)", line).group(1))
    return total


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    system_map, base = sys.argv[1], sys.argv[2]
    runs = [(a.split(":", 1) + [base])[:2] for a in sys.argv[3:]]
    dirs = {base} | {d for r in runs for d in r}
    addrs, names = symbols(system_map, [d + "/console.txt" for d in sorted(dirs)])
    cols = []
    for d, b in runs:
        n = ops(d + "/console.txt") - ops(b + "/console.txt")
        c = counts(d + "/profile.txt", addrs, names)
        bc = counts(b + "/profile.txt", addrs, names)
        cols.append({k: (c.get(k, 0) - bc.get(k, 0)) / n for k in set(c) | set(bc)})
        print(f"# {d}: {n} operations" + (f" over {b}'s" if b != base else ""))
    keys = set().union(*cols)
    spread = lambda k: max(c.get(k, 0) for c in cols) - min(c.get(k, 0) for c in cols) \
        if len(cols) > 1 else abs(cols[0].get(k, 0))
    total = [sum(c.values()) for c in cols]
    print(" ".join(f"{t:10.1f}" for t in total) + "  (total)")
    for k in sorted(keys, key=spread, reverse=True):
        vals = [c.get(k, 0) for c in cols]
        if max(abs(v) for v in vals) < 0.5:
            continue
        print(" ".join(f"{v:10.1f}" for v in vals) + "  " + k[:110])


if __name__ == "__main__":
    main()
