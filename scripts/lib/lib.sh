# Shared settings for the project's scripts. Sourced, not run.
# shellcheck shell=bash

set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${DM_IO_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dm-io-rs}"
LLVM_SUFFIX="${LLVM:--19}"
KERNEL_SERIES="7.3"
export LIBCLANG_PATH="${LIBCLANG_PATH:-/usr/lib/llvm-19/lib}"
export PATH="$HOME/.cargo/bin:$PATH"

# A step's line carries the seconds since `make check` (or whichever entry
# point set DM_IO_RS_T0) started, to show where the time goes.
step() {
	if [ -n "${DM_IO_RS_T0:-}" ]; then
		printf '==> [%4d s] %s\n' "$(($(date +%s) - DM_IO_RS_T0))" "$*"
	else
		printf '==> %s\n' "$*"
	fi
}
info() { printf '    %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# die_on_build_warnings LOG WHAT [IGNORE]: kbuild does not fail on a
# compiler warning; the project does. Prints each warning with its context
# and dies with "WHAT printed warnings". IGNORE is an extended regex of the
# lines the unchanged tree prints (cross-build.sh).
die_on_build_warnings() {
	local found
	[ -r "$1" ] || die "$2: no build log $1"
	# Not `grep -q`: under pipefail its early exit would fail the pipe.
	found="$(grep -Ev "${3:-^\$^}" "$1" | grep -E -A 12 '(^|: )(warning|error)(\[|:)' || true)"
	[ -n "$found" ] || return 0
	printf '%s\n' "$found" >&2
	die "$2 printed warnings; log: $1"
}

# replace_md_section FILE HEADING SECTION [PARENT]: SECTION, text that
# starts with the line HEADING, in place of FILE's section of that heading
# (up to the next heading of its level or above); appended at the end,
# under the heading PARENT if given, when FILE has none. For the tables the
# benchmark scripts write into BENCHMARKS.md.
replace_md_section() {
	local file="$1" heading="$2" level="${2%% *}"
	[ -f "$file" ] || printf '# Benchmarks\n' >"$file"
	SECTION="$3" HEADING="$heading" LEVEL="${#level}" awk '
		$0 == ENVIRON["HEADING"] { print ENVIRON["SECTION"]; skip = 1; next }
		skip && match($0, /^#+ /) && RLENGTH - 1 <= ENVIRON["LEVEL"] { skip = 0; print "" }
		!skip { print }' "$file" >"$file.tmp"
	if ! grep -qxF "$heading" "$file"; then
		[ -z "${4:-}" ] || printf '\n%s\n' "$4" >>"$file.tmp"
		printf '\n%s\n' "$3" >>"$file.tmp"
	fi
	mv "$file.tmp" "$file"
}

# series_sum PATCH...: what the patches change and say, hashed without the
# lines that follow the commit they were generated from (the From line's
# commit id, the Date), so that caches keyed by it survive a commit that
# leaves the series as it was.
series_sum() {
	sed -s -e '1{/^From [0-9a-f]\{40\} /d}' -e '/^Date: /d' "$@" | sha256sum | cut -c1-12
}

# kernel_spec KERNEL: the one parser of the kernels guest runs name:
# `stock` (the Debian 7.3 kernel, C dm-io) or `replace` (built from the
# patch series, dm-mod with the Rust dm-io), optionally with config
# fragments joined by '+' (stock+debug: KASAN, lockdep, kmemleak...; see
# scripts/config/). Sets spec_variant (build-kernel.sh's VARIANT) and
# spec_impl (the dm-io in dm-mod: c or rust).
kernel_spec() {
	local base="${1%%+*}"
	local extra="${1#"$base"}"
	case "$base" in
	stock) spec_variant="${extra#+}" spec_impl=c ;;
	replace) spec_variant="replace$extra" spec_impl=rust ;;
	*) die "unknown kernel '$1' (stock or replace, optionally +fragment: stock+debug)" ;;
	esac
	spec_variant="${spec_variant:-guest}"
}

# kernel_kdir KERNEL: the build directory of KERNEL (built if needed);
# for plain `stock`, KDIR if it is set (your own kernel tree).
kernel_kdir() {
	kernel_spec "$1"
	local known="DM_IO_RS_KDIR_${spec_variant//[^a-z]/_}"
	if [ "$spec_variant" = guest ] && [ -n "${KDIR:-}" ]; then
		echo "$KDIR"
	elif [ -n "${!known:-}" ]; then
		# Resolved once already by the caller (check.sh: the replace kernel
		# after its series checks), not made again.
		echo "${!known}"
	else
		"$PROJECT_DIR/scripts/build-kernel.sh" "$spec_variant" | tail -n1
	fi
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
# first (scripts/lib/expected-warning.py; the rest goes to FILTERED).
kernel_reports() {
	local log="$1" filtered="$2" found
	local reports='(BUG:|WARNING:|Oops|general protection fault|Kernel panic|KASAN|UBSAN|kernel BUG|possible circular locking|possible recursive locking|inconsistent lock state|INFO: lockdep|suspicious RCU usage|unreferenced object|kmemleak:.*new suspected|Call Trace:|hung_task|blocked for more than|refcount_t:|list_add corruption|list_del corruption|ODEBUG:)'
	python3 "$PROJECT_DIR/scripts/lib/expected-warning.py" "$log" >"$filtered" || return 1
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

