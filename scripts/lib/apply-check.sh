#!/usr/bin/env bash
# Does the series apply with `git am`? To Debian's linux-source tree and to
# the unpatched upstream source of the same version (scripts/lib/fetch-orig.sh).
# `git am` reads only the files a patch touches, so each check commits
# those files of the tree into a scratch repository and applies the series
# there.
#
#   apply-check.sh PATCH_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

patches="$(cd "${1:?usage: apply-check.sh PATCH_DIR}" && pwd)"
mapfile -t series < <(find "$patches" -name '[0-9]*.patch' ! -name '0000-*' | sort)
[ "${#series[@]}" -gt 0 ] || die "no patches in $patches"
debian="$("$PROJECT_DIR/scripts/lib/fetch-kernel.sh" | tail -n1)"
trees=("$debian")
rc=0
orig="$("$PROJECT_DIR/scripts/lib/fetch-orig.sh" | tail -n1)" || rc=$?
case "$rc" in
0) trees+=("$orig") ;;
2) info "SKIPPED: the apply check on the upstream tarball, which cannot be downloaded here (DM_IO_RS_ORIG_TARBALL=<linux_*.orig.tar.xz> gives one)" >&2 ;;
*) die "fetching the upstream files failed" ;;
esac
mapfile -t files < <(python3 "$PROJECT_DIR/scripts/lib/series.py" files)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for tree in "${trees[@]}"; do
	repo="$tmp/$(basename "$tree")"
	mkdir -p "$repo"
	for f in "${files[@]}"; do
		[ -e "$tree/$f" ] || continue
		mkdir -p "$repo/$(dirname "$f")"
		cp "$tree/$f" "$repo/$f"
	done
	g() { git -C "$repo" -c user.name=apply-check -c user.email=apply-check@localhost "$@"; }
	g init -q
	g add -A
	g commit -q -m base
	g am -q --whitespace=error-all "${series[@]}" >"$tmp/am.log" 2>&1 || {
		cat "$tmp/am.log" >&2
		die "the series does not apply with git am to $tree"
	}
	info "git am: ${#series[@]} patches apply to $(basename "$tree")" >&2
	# Each series is sent on its own: each applies without the others.
	for d in "$patches"/*/; do
		mapfile -t one < <(find "$d" -name '[0-9]*.patch' ! -name '0000-*' | sort)
		g checkout -q --detach "$(g rev-list --max-parents=0 HEAD)"
		g am -q --whitespace=error-all "${one[@]}" >"$tmp/am.log" 2>&1 || {
			cat "$tmp/am.log" >&2
			die "$(basename "$d") does not apply on its own with git am to $tree"
		}
		info "git am: $(basename "$d") (${#one[@]} patches) applies on its own to $(basename "$tree")" >&2
	done
done
