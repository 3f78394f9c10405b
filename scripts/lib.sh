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
