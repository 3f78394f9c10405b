#!/usr/bin/env bash
# `make patches`: the patch series for the kernel version the project
# builds (scripts/lib/series.py), made from this repository's files against
# the downloaded source tree: out/patches/1-fixes/, the dm-io.c fixes for
# dm-devel, and out/patches/2-rust/, the Rust series (RFC).
#
#   make-patches.sh [OUT_DIR]
#
# Prints OUT_DIR on the last line.
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

out="${1:-$PROJECT_DIR/out/patches}"
src="$("$PROJECT_DIR/scripts/lib/fetch-kernel.sh" | tail -n1)"
step "patch series against $(basename "$src") into $out" >&2
python3 "$PROJECT_DIR/scripts/lib/series.py" generate "$src" "$out"
for d in "$out"/*/; do
	info "$(basename "$d"): a cover letter and $(find "$d" -name '[0-9]*.patch' ! -name '0000-*' | wc -l) patches" >&2
done
echo "$out"
