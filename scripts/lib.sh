# Shared settings for the project's scripts. Sourced, not run.
# shellcheck shell=bash

set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${DM_IO_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dm-io-rs}"
LLVM_SUFFIX="${LLVM:--19}"
KERNEL_SERIES="7.3"
export LIBCLANG_PATH="${LIBCLANG_PATH:-/usr/lib/llvm-19/lib}"
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# series_sum PATCH...: what the patches change and say, hashed without the
# lines that follow the commit they were generated from (the From line's
# commit id, the Date), so that caches keyed by it survive a commit that
# leaves the series as it was.
series_sum() {
	sed -s -e '1{/^From [0-9a-f]\{40\} /d}' -e '/^Date: /d' "$@" | sha256sum | cut -c1-12
}

# Time a step and print how long it took.
timed() {
	local start=$SECONDS
	"$@"
	info "done in $((SECONDS - start)) s"
}

# kernel_reports LOG FILTERED: fails, printing them, if the kernel log LOG
# has a report of any kind (BUG, WARNING, KASAN, lockdep, kmemleak, hung
# task...). A test that must make the kernel warn (as dm-io.c's WARN_ON for
# a multi-region read) marks where, and that one warning is taken out
# first (scripts/expected-warning.py; the rest goes to FILTERED).
kernel_reports() {
	local log="$1" filtered="$2" found
	local reports='(BUG:|WARNING:|Oops|general protection fault|Kernel panic|KASAN|UBSAN|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|INFO: lockdep|suspicious RCU usage|unreferenced object|kmemleak:.*new suspected|Call Trace:|hung_task|blocked for more than|refcount_t:|list_add corruption|list_del corruption|ODEBUG:)'
	python3 "$PROJECT_DIR/scripts/expected-warning.py" "$log" >"$filtered" || return 1
	found="$(grep -En "$reports" "$filtered" | head -n 20)" || return 0
	echo "FAIL: kernel reports in $log:"
	printf '%s\n' "$found" | sed 's/^/    /'
	return 1
}

# seed_build FROM TO [OLD_SRC NEW_SRC]: make build directory TO a copy of
# the finished build FROM, for a build whose options or source differ from
# FROM's in a few places. Kbuild decides what to rebuild from the commands
# saved in the .cmd files and from timestamps; the copy keeps the
# timestamps, and the saved commands and dependency lists are rewritten to
# name TO (and NEW_SRC, a linked copy of OLD_SRC, for a build from another
# tree), so that only what the new options or files change is rebuilt.
seed_build() {
	local from="$1" to="$2" old_src="${3:-}" new_src="${4:-}"
	rm -rf "$to" "$to.seed"
	cp -a "$from" "$to.seed"
	rm -f "$to.seed"/.dm-io-rs-* "$to.seed/build.log" "$to.seed/source"
	# A path is rewritten where it ends: not where it is the prefix of a
	# longer name (the series tree is the source's path plus "-series").
	local saved
	saved="$(mktemp)"
	find "$to.seed" -type f \( -name '*.cmd' -o -name '*.d' -o -name Makefile \) -print0 |
		{ xargs -0 grep -lZ -F -e "$from" ${old_src:+-e "$old_src"} || true; } >"$saved"
	OLD_OUT="$from" NEW_OUT="$to" OLD_SRC="$old_src" NEW_SRC="$new_src" \
		xargs -0 -r -a "$saved" perl -pi -e '
			BEGIN { $e = qr{(?![-\w.~+])} }
			s{\Q$ENV{OLD_OUT}\E$e}{$ENV{NEW_OUT}}g;
			s{\Q$ENV{OLD_SRC}\E$e}{$ENV{NEW_SRC}}g if length $ENV{OLD_SRC};'
	rm -f "$saved"
	# The copies keep their times, which may be later than those of the
	# files the series changes (the series tree's own, not hard links to
	# the source): make those newer, or kbuild keeps the old outputs
	# (bindings generated without the series' bindings_helper.h).
	if [ -n "$new_src" ] && [ "$new_src" != "$old_src" ]; then
		find "$new_src" -type f -links 1 -exec touch {} +
	fi
	mv "$to.seed" "$to"
}

# fio_boot DIR KDIR IMPL ROOT_IMG TIMEOUT CONF [MODULE...]: one boot of
# KDIR's kernel (dm-io IMPL: c or rust) on the Debian guest root ROOT_IMG
# that runs tests/guest/fio.sh with CONF as its fio.conf and the MODULEs
# in its payload; the console log and the judge's verdict in DIR. Dies on
# a kernel report. QEMU's other settings come from the environment
# (DM_IO_RS_ICOUNT, DM_IO_RS_INSN_PROFILE, ...).
fio_boot() {
	local dir="$1" kdir="$2" impl="$3" root_img="$4" limit="$5" conf="$6"
	shift 6
	mkdir -p "$dir/payload"
	cp "$PROJECT_DIR/tests/guest/fio.sh" "$dir/payload/test.sh"
	cp "$PROJECT_DIR/tests/guest/lib.sh" "$dir/payload/lib.sh"
	[ $# -eq 0 ] || cp "$@" "$dir/payload/"
	echo "$conf" >"$dir/payload/fio.conf"
	tar -cf "$dir/payload.tar" -C "$dir/payload" .
	# kunit.enable=0: a kernel's built-in suites are not what fio measures.
	DM_IO_RS_ROOT_IMG="$root_img" DM_IO_RS_PAYLOAD="$dir/payload.tar" \
		DM_IO_RS_CMDLINE="dmio=$impl kunit.enable=0 ${DM_IO_RS_CMDLINE:-}" \
		"$PROJECT_DIR/scripts/run-qemu.sh" "$kdir/arch/x86/boot/bzImage" - \
		"$dir/console.log" "$limit"
	"$PROJECT_DIR/scripts/judge.sh" "$dir/console.log" "$(readlink -f "$kdir/source")" fio_bench \
		>"$dir/judge.txt" || { cat "$dir/judge.txt"; die "the fio boot failed; console: $dir/console.txt"; }
	grep -qx "fio-bench: dm-io $impl" "$dir/console.txt" ||
		die "the kernel of $kdir does not run the $impl dm-io; console: $dir/console.txt"
}
