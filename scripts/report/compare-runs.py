#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare what one guest scenario printed on two kernels.

    compare-runs.py CONSOLE_A CONSOLE_B DIFFERENCES

From the start of the test document ("KTAP version 1") on, the test
script's own output (statuses, counters, checks) must be the same line
for line, and the kernel's messages the same up to numbers (timestamps,
device numbers, addresses), in any order. Lines matching one of the
DIFFERENCES file's patterns (each with its reason) are left out. Exits 1
and prints the differences otherwise.
"""

import collections
import difflib
import re
import sys

STAMP = re.compile(r"^\[\s*[0-9]+\.[0-9]+\] ")
SCRIPT = re.compile(r"^(#|ok |not ok |[0-9]|KTAP |dm-io-rs: )")


def allowed(path):
    pats = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            pat, _, why = line.partition("\t")
            if not why:
                sys.exit("%s: %r has no reason" % (path, line))
            pats.append(re.compile(pat))
    return pats


def split(path, pats):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    try:
        lines = lines[lines.index("KTAP version 1"):]
    except ValueError:
        sys.exit("%s: no test document" % path)
    script, kernel = [], collections.Counter()
    for line in lines:
        m = STAMP.match(line)
        text = line[m.end():] if m else line
        if not text or any(p.search(text) for p in pats):
            continue
        # The script prints KTAP lines, "# " comments and dmsetup's status
        # lines (which start with the start sector); anything else is the
        # kernel's, whose place among them depends on timing.
        if not m and SCRIPT.match(text):
            script.append(text)
        else:
            kernel[re.sub(r"[0-9a-f]*[0-9][0-9a-f]*", "N", text)] += 1
    return script, kernel


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    a, b, diffs = sys.argv[1:]
    pats = allowed(diffs)
    sa, ka = split(a, pats)
    sb, kb = split(b, pats)
    bad = False
    if sa != sb:
        bad = True
        print("the test scripts printed different lines:")
        for line in difflib.unified_diff(sa, sb, a, b, lineterm="", n=1):
            print("    " + line)
    only_a, only_b = ka - kb, kb - ka
    if only_a or only_b:
        bad = True
        print("the kernels printed different messages (numbers aside):")
        for msg, n in sorted(only_a.items()):
            print("    only in %s (%dx): %s" % (a, n, msg))
        for msg, n in sorted(only_b.items()):
            print("    only in %s (%dx): %s" % (b, n, msg))
    if bad:
        sys.exit(1)
    print("same output: %d script lines, %d kernel messages" % (len(sa), sum(ka.values())))


if __name__ == "__main__":
    main()
