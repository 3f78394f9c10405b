#!/usr/bin/env bash
# The kernel community's checks on the patch series, against a kernel built
# from it (`build-kernel.sh replace`):
#
#   - checkpatch.pl --strict on every patch: no error, no warning, no check;
#     instead of its "does MAINTAINERS need updating?", get_maintainer.pl
#     must name an entry for every file the series adds (the routing goes
#     to out/series/routing.txt);
#   - the series applies with `git am` (scripts/lib/apply-check.sh);
#   - kernel-doc on the C header the series changes;
#   - rustfmtcheck, and rustdoc with no warning;
#   - the misuse tests (scripts/lib/misuse-tests.sh);
#   - the build matrix: DM_IO_RUST on and off, BLK_DEV_DM y and m
#     (scripts/lib/build-matrix.sh);
#   - the series built for ARMv7, arm64 and UML (scripts/lib/cross-build.sh),
#     each cached by the series' hash;
#   - the KUnit suites and the Rust doctests with the kernel's own runner,
#     kunit.py, on x86_64 (the replace kernel's build directory) and on
#     UML, its default architecture (the UML cross build's), and on UML
#     again against dm-io.c (CONFIG_DM_IO_RUST=n, with the dm-io.c fixes).
#
#   series-checks.sh REPLACE_KDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kdir="$(cd "${1:?usage: series-checks.sh REPLACE_KDIR}" && pwd)"
tree="$(readlink -f "$kdir/source")"
[ -f "$tree/.dm-io-rs-series" ] || die "$kdir is not built from the series tree"
patches="$PROJECT_DIR/out/patches"
mapfile -t series < <(find "$patches" -name '0*.patch' ! -name '0000-*' | sort)
mkdir -p "$PROJECT_DIR/out/series"
log="$PROJECT_DIR/out/series"
mk() { make -C "$tree" O="$kdir" LLVM="$LLVM_SUFFIX" CLIPPY=1 "$@"; }

# The static checks depend only on the series, the misuse tests and these
# scripts: once they passed for exactly these bytes, they are not redone.
# The cross builds have stamps of their own (a few seconds when the series
# did not change), and kunit.py always runs.
always() {
	local um
	um="$("$PROJECT_DIR/scripts/lib/cross-build.sh" "$tree" | awk '$1 == "um" { print $2 }')"
	[ -n "$um" ] || die "cross-build.sh gave no UML build directory"
	"$PROJECT_DIR/scripts/lib/kunit-py.sh" "$kdir"
	"$PROJECT_DIR/scripts/lib/kunit-py.sh" "$um" um
	"$PROJECT_DIR/scripts/lib/kunit-py.sh" "$um" um-c
}
stamp="$kdir/.dm-io-rs-series-checks"
sum="$({
	series_sum "${series[@]}"
	cat "$PROJECT_DIR"/tests/misuse/*.rs "$PROJECT_DIR"/scripts/lib/{series-checks,apply-check,misuse-tests,build-matrix}.sh
} | sha256sum | cut -c1-16)"
if [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
	step "series checks (checkpatch, git am, kernel-doc, rustfmtcheck, rustdoc, misuse tests, build matrix)"
	info "passed for this very series and these tests ($sum); log: $log"
	always
	exit 0
fi
rm -f "$stamp"

step "checkpatch.pl --strict on ${#series[@]} patches"
bad=0
for p in "${series[@]}"; do
	# FILE_PATH_CHANGES fires for every patch that adds a file without
	# touching MAINTAINERS, whether an entry covers the file or not; the
	# coverage is checked below instead. UNKNOWN_COMMIT_ID fires for every
	# Fixes: tag in a tree without git history (a release's source), as
	# this one is.
	out="$(cd "$tree" && scripts/checkpatch.pl --strict --ignore FILE_PATH_CHANGES,UNKNOWN_COMMIT_ID "$p" 2>&1)" || true
	total="$(grep '^total:' <<<"$out" || echo "no summary")"
	if [[ "$total" != "total: 0 errors, 0 warnings, 0 checks,"* ]]; then
		printf '%s\n' "$out" >&2
		bad=$((bad + 1))
	fi
	info "$(basename "$p"): $total"
done
[ "$bad" = 0 ] || die "checkpatch reports problems in $bad patches"

step "get_maintainer.pl: every file the series adds has an entry; the cover letters route as it does"
# Every new file is covered by an entry other than THE REST (Linus and
# linux-kernel@). The routing, per patch: the lists get_maintainer.pl
# names for the files it touches, which each series' cover letter states
# in its "Routing" lines ("  NN: list list ...").
gm() { (cd "$tree" && scripts/get_maintainer.pl --no-git --no-git-fallback --no-rolestats "$@" 2>/dev/null) || true; }
: >"$log/routing.txt"
for p in "${series[@]}"; do
	for f in $(awk '/^diff --git/ { f = $4 } /^new file mode/ { sub("^b/", "", f); print f }' "$p"); do
		[ -n "$(gm -f "$f" | grep -v -e 'torvalds@' -e '^linux-kernel@vger')" ] ||
			die "$(basename "$p"): no MAINTAINERS entry covers $f"
	done
	lists="$(for f in $(awk '/^diff --git/ { f = $4; sub("^b/", "", f); print f }' "$p"); do
		gm --no-m --no-r -f "$f"
	done | grep -v '^linux-kernel@vger' | sort -u | paste -sd' ' -)"
	printf '%s/%s: %s\n' "$(basename "$(dirname "$p")")" "$(basename "$p" | cut -c3-4)" "$lists" >>"$log/routing.txt"
done
for d in $(cut -d/ -f1 "$log/routing.txt" | sort -u); do
	diff -u <(sed -n "s|^$d/||p" "$log/routing.txt") \
		<(sed -n '/^Routing/,/^$/p' "$patches/$d/0000-cover-letter.patch" | sed -n 's/^  \([0-9][0-9]: \)/\1/p') ||
		die "the routing in $d's cover letter (series/${d#*-}/00-cover-letter.txt) is not get_maintainer.pl's (above: - is get_maintainer.pl)"
done
info "$(wc -l <"$log/routing.txt") patches, routed as their cover letters say ($log/routing.txt)"

"$PROJECT_DIR/scripts/lib/apply-check.sh" "$patches"

step "kernel-doc -none include/linux/dm-io.h"
(cd "$tree" && scripts/kernel-doc -none -Wall include/linux/dm-io.h) >"$log/kernel-doc.log" 2>&1 ||
	{ cat "$log/kernel-doc.log" >&2; die "kernel-doc failed"; }
[ ! -s "$log/kernel-doc.log" ] || { cat "$log/kernel-doc.log" >&2; die "kernel-doc warns"; }

step "make rustfmtcheck"
mk -s rustfmtcheck >"$log/rustfmtcheck.log" 2>&1 ||
	{ cat "$log/rustfmtcheck.log" >&2; die "rustfmtcheck: the series' Rust is not formatted"; }

step "make rustdoc"
mk -s -j"$(nproc)" rustdoc >"$log/rustdoc.log" 2>&1 ||
	{ tail -n 40 "$log/rustdoc.log" >&2; die "make rustdoc failed"; }
die_on_build_warnings "$log/rustdoc.log" "make rustdoc"
info "rustdoc: no warnings ($kdir/Documentation/output/rust/rustdoc)"

"$PROJECT_DIR/scripts/lib/misuse-tests.sh" "$kdir"

"$PROJECT_DIR/scripts/lib/build-matrix.sh" "$kdir"

echo "$sum" >"$stamp"

always
