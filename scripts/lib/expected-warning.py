#!/usr/bin/env python3
# The one warning a test expects, taken out of a guest's console log before
# scripts/lib/judge.sh looks for kernel reports.
#
#   expected-warning.py LOG > FILTERED
#   expected-warning.py --self-test     (make check runs it)
#
# Drops from a console log the one warning that a test expects: a test
# prints "dm-io-rs: expect warning at SITE" before the call that must warn
# and "dm-io-rs: expected warning done" after it; between the two there must
# be exactly one "WARNING:" report, at a source file whose path ends in SITE,
# whose block (cut here .. end trace) is dropped. Everything else, in the
# window or not, is left for the report check. Prints the filtered log;
# exits 1 if a window does not hold exactly its one warning.
import re, sys

BEGIN = re.compile(r"dm-io-rs: expect warning at (\S+)")
END = re.compile(r"dm-io-rs: expected warning done")


def filter_log(lines):
    """The log without each window's one expected warning, and what went
    wrong in windows that do not hold exactly their one warning."""
    out, bad = [], []
    i = 0
    while i < len(lines):
        m = BEGIN.search(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        site = m.group(1)
        j = i + 1
        while j < len(lines) and not END.search(lines[j]):
            j += 1
        window = lines[i + 1 : j]
        warns = [k for k, l in enumerate(window) if "WARNING:" in l]
        # "WARNING: FILE:LINE at FUNCTION ..." (or "... at FILE:LINE ..."):
        # SITE ends the file's path.
        if len(warns) != 1 or not re.search(r"\S*" + re.escape(site) + r":\d+ ", window[warns[0]]):
            bad.append("%s: %d warning(s) in the window, expected one at %s" % (site, len(warns), site))
            out.extend(lines[i : j + 1])
        else:
            w = warns[0]
            # The block starts at its "cut here" line (if any, just before) and
            # ends at its "end trace" line.
            start = w - 1 if w > 0 and "cut here" in window[w - 1] else w
            stop = w
            while stop < len(window) and "---[ end trace" not in window[stop]:
                stop += 1
            out.append(lines[i])
            out.extend(window[:start])
            out.extend(window[stop + 1 :])
            if j < len(lines):
                out.append(lines[j])
        i = j + 1
    return out, bad


def self_test():
    trace = ["------------[ cut here ]------------",
             "WARNING: drivers/md/dm-io-rust/request.rs:42 at rdm_io+0x1/0x2, CPU#0: t/1",
             "Call Trace:", " <TASK>", " </TASK>", "---[ end trace 0000000000000000 ]---"]
    begin, end = "x: dm-io-rs: expect warning at request.rs", "x: dm-io-rs: expected warning done"
    out, bad = filter_log(["a", begin] + trace + [end, "b"])
    assert not bad and not any("WARNING" in l or "Call Trace" in l for l in out), (out, bad)
    # Two warnings, or one elsewhere, or none: the window fails and keeps
    # its reports.
    for window in (trace + trace, [trace[0], trace[1].replace("request.rs", "dispatch.rs")] + trace[2:], []):
        out, bad = filter_log([begin] + window + [end])
        assert bad and sum("WARNING" in l for l in out) == sum("WARNING" in l for l in window), window
    # A warning outside any window stays.
    out, bad = filter_log(trace + [begin] + trace + [end])
    assert not bad and sum("WARNING" in l for l in out) == 1
    print("expected-warning.py: self-test passed")


if __name__ == "__main__":
    if sys.argv[1] == "--self-test":
        self_test()
        sys.exit(0)
    out, bad = filter_log(open(sys.argv[1], errors="replace").read().split("\n"))
    sys.stdout.write("\n".join(out))
    for b in bad:
        print("FAIL: expected warning: " + b, file=sys.stderr)
    sys.exit(1 if bad else 0)
