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
	mv "$to.seed" "$to"
}
