#!/usr/bin/env bash
# Everything the project tests: formatting, clippy, a warning-free build,
# then the KUnit suites in a QEMU guest on real block devices (guest and
# debug kernels), then the patch series and the kernel built from it (the
# replace kernel, with the Rust dm-io in dm-mod), then the kernel's own dm
# targets on the stock kernel (C dm-io) and on the replace kernel.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

total=$SECONDS
"$PROJECT_DIR/scripts/setup-host.sh"
export KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
src="${KERNEL_SRC:-$(readlink -f "$KDIR/source" 2>/dev/null || "$PROJECT_DIR/scripts/fetch-kernel.sh" | tail -n1)}"

step "rustfmt --check"
mapfile -t rs < <(cd "$PROJECT_DIR" && find src tests -name '*.rs' | sort)
(cd "$PROJECT_DIR" && rustfmt --check --edition 2021 --config-path "$src/.rustfmt.toml" "${rs[@]}") ||
	die "rustfmt: run 'rustfmt --edition 2021 --config-path $src/.rustfmt.toml' on the files above"

# The debug kernel's modules are built beside the guest kernel's (kbuild
# runs one job at a time here). The clippy build is the guest's build:
# clippy-driver compiles as rustc does, and fails on the same warnings.
debug_kdir=
debug_build=
if [ "${DM_IO_RS_DEBUG_KERNEL:-1}" = 1 ]; then
	debug_kdir="$("$PROJECT_DIR/scripts/build-kernel.sh" debug | tail -n1)"
	debug_build="$PROJECT_DIR/out/module-build-debug.txt"
	mkdir -p "$PROJECT_DIR/out"
	KDIR="$debug_kdir" "$PROJECT_DIR/scripts/build-module.sh" >"$debug_build" 2>&1 &
	debug_build_pid=$!
fi
read -ra ko <<<"$("$PROJECT_DIR/scripts/build-module.sh" clippy | tail -n1)"
# The guest's fail-nth helper for the rmirror scenarios, found on PATH by
# make-initramfs.sh through tests/guest/rmirror.bins.
mkdir -p "$PROJECT_DIR/out/bin"
gcc -O2 -static -Wall -Wextra -Werror -o "$PROJECT_DIR/out/bin/dm-failnth" \
	"$PROJECT_DIR/tests/guest/dm-failnth.c"
export PATH="$PROJECT_DIR/out/bin:$PATH"
# The debug kernel's runs (KASAN, lockdep, kmemleak, object debugging,
# fault injection: scripts/config/debug.config) go in a second lane beside
# the rest: every guest has one vCPU, and the host two.
debug_pid=
if [ -n "$debug_kdir" ]; then
	wait "$debug_build_pid" || { cat "$debug_build"; die "the debug kernel's module build failed"; }
	grep '^==>\|^    ' "$debug_build" | grep -v '^/' || true
	read -ra debug_ko <<<"$(tail -n1 "$debug_build")"
	debug_log="$PROJECT_DIR/out/check-debug.log"
	step "debug kernel runs started beside the others (log: $debug_log)"
	# A process group of its own (job control), to be stopped as one.
	set -m
	(
		export KDIR="$debug_kdir"
		DM_IO_RS_RUN=kunit-debug "$PROJECT_DIR/scripts/run-suite.sh" kunit "${debug_ko[@]}"
		grep -q "dm-io-rs: kmemleak: no leaks" "$PROJECT_DIR/out/kunit-debug/console.txt" ||
			die "the debug run did not report a clean kmemleak scan"
		# The rmirror target's scenarios under KASAN and lockdep as well.
		DM_IO_RS_RUN=rmirror-debug "$PROJECT_DIR/scripts/run-suite.sh" rmirror "${debug_ko[@]}"
		grep -q "dm-io-rs: kmemleak: no leaks" "$PROJECT_DIR/out/rmirror-debug/console.txt" ||
			die "the rmirror debug run did not report a clean kmemleak scan"
	) >"$debug_log" 2>&1 &
	debug_pid=$!
	set +m
	# Failing or interrupted, the other lane does not outlive this script.
	trap '[ -z "$debug_pid" ] || kill -- "-$debug_pid" 2>/dev/null || true' EXIT
fi

"$PROJECT_DIR/scripts/run-suite.sh" kunit "${ko[@]}"
# The rmirror target's dmsetup scenarios (tests/guest/rmirror.sh).
"$PROJECT_DIR/scripts/run-suite.sh" rmirror "${ko[@]}"

# The patch series (out/patches): the replace kernel is built from it,
# with CLIPPY=1 and no warning; then checkpatch, git am, kernel-doc,
# rustfmtcheck, rustdoc, the misuse tests, kunit.py and the build matrix.
replace_kdir="$("$PROJECT_DIR/scripts/build-kernel.sh" replace | tail -n1)"
"$PROJECT_DIR/scripts/series-checks.sh" "$replace_kdir"

# The kernel's own dm targets (mirror, kcopyd, dm-log, snapshot, integrity,
# writecache) on the stock kernel (C dm-io) and on the kernel whose dm-mod
# links the Rust dm-io in place of dm-io.c.
"$PROJECT_DIR/scripts/run-dm-scenarios.sh" stock replace
# cryptsetup's own dm-integrity and dm-verity suites, one Debian guest boot
# per kernel; ~15 min each under TCG, so only with DM_IO_RS_PEER_SUITES=1.
[ "${DM_IO_RS_PEER_SUITES:-0}" = 0 ] || "$PROJECT_DIR/scripts/run-peer-suites.sh" stock replace

if [ -n "$debug_pid" ]; then
	step "waiting for the debug kernel runs"
	status=0
	wait "$debug_pid" || status=$?
	debug_pid=
	if [ "$status" != 0 ]; then
		cat "$debug_log"
		die "the debug kernel runs failed (log: $debug_log)"
	fi
	grep -E '^(==>|KUnit cases|PASS|    VM ran)' "$debug_log"
fi
step "make check passed in $((SECONDS - total)) s"
