#!/usr/bin/env bash
# `make patches`: the patch series for the kernel version the project
# builds, in out/patches/ (scripts/series.py), made from this repository's
# files against the downloaded source tree.
#
#   make-patches.sh [OUT_DIR]
#
# Prints OUT_DIR on the last line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out="${1:-$PROJECT_DIR/out/patches}"
src="$("$PROJECT_DIR/scripts/fetch-kernel.sh" | tail -n1)"
step "patch series against $(basename "$src") into $out" >&2
python3 "$PROJECT_DIR/scripts/series.py" generate "$src" "$out"
info "$(find "$out" -name '*.patch' | wc -l) files: the cover letter and $(find "$out" -name '0[0-9][0-9][1-9]-*.patch' -o -name '00[1-9]0-*.patch' | wc -l) patches" >&2
echo "$out"
