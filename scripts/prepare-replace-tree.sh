#!/usr/bin/env bash
# Make the kernel source tree of the `replace` variant: the downloaded
# source with dm-mod's drivers/md/dm-io.o swapped for the project's Rust
# dm-io, built in-tree from the same src/ files as dm_io_rs.ko.
#
#   prepare-replace-tree.sh SOURCE_TREE
#
# The copy is made once with hard links (`cp -al`, cheap). Two things in it
# differ from SOURCE_TREE, both written as new files, never edited in place
# (a linked file is the shared source):
#   drivers/md/Makefile   dm-io.o in dm-mod-y replaced by the three objects
#                         below, plus their flags
#   drivers/md/dm-io-rs/  a copy of src/ and include/dm-io-rs.h; a file is
#                         rewritten only when its content changed, so an
#                         incremental kernel build recompiles only dm-mod
# Prints the tree's path on the last line of stdout.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

src="$(cd "$1" && pwd)"
tree="$src-replace"
[ -f "$src/drivers/md/dm-io.c" ] || die "$src is not a kernel source tree"

if [ ! -f "$tree/.dm-io-rs-replace-tree" ]; then
	step "linking a copy of $src for the replace variant" >&2
	rm -rf "$tree" "$tree.partial"
	cp -al "$src" "$tree.partial"
	# The two changed places must not be links to the shared source.
	rm -f "$tree.partial/drivers/md/Makefile"
	rm -rf "$tree.partial/drivers/md/dm-io-rs"
	touch "$tree.partial/.dm-io-rs-replace-tree"
	mv "$tree.partial" "$tree"
fi

# drivers/md/Makefile: only the dm-mod object list changes. Written to a
# temporary file and moved, so a link to the shared source is never opened
# for writing.
makefile="$tree/drivers/md/Makefile"
objs='dm-io-rs/dm_io_rs.o dm-io-rs/helpers.o dm-io-rs/exports.o'
tmp="$(mktemp "$tree/drivers/md/.Makefile.XXXXXX")"
{
	sed "s#dm-ioctl\.o dm-io\.o dm-kcopyd\.o#dm-ioctl.o $objs dm-kcopyd.o#" "$src/drivers/md/Makefile"
	cat <<'EOF'

# dm-io-rs (scripts/prepare-replace-tree.sh): dm-mod links the Rust dm-io
# and its C helpers in place of dm-io.o.
RUSTFLAGS_dm-io-rs/dm_io_rs.o := --cfg dm_io_builtin
CFLAGS_dm-io-rs/exports.o := -DDM_IO_RS_BUILTIN -I$(src)/dm-io-rs
EOF
} >"$tmp"
grep -q "dm-ioctl.o $objs dm-kcopyd.o" "$tmp" || { rm -f "$tmp"; die "dm-io.o not found in dm-mod-y of $src/drivers/md/Makefile"; }
if cmp -s "$tmp" "$makefile"; then rm -f "$tmp"; else mv "$tmp" "$makefile"; fi

# drivers/md/dm-io-rs/: the project's sources, copied when changed.
dest="$tree/drivers/md/dm-io-rs"
mkdir -p "$dest"
wanted="$(mktemp)"
trap 'rm -f "$wanted"' EXIT
changed=0
copy() { # copy FROM RELATIVE_TO
	echo "$2" >>"$wanted"
	if ! cmp -s "$1" "$dest/$2"; then
		mkdir -p "$(dirname "$dest/$2")"
		rm -f "$dest/$2"
		cp "$1" "$dest/$2"
		changed=$((changed + 1))
	fi
}
while IFS= read -r f; do
	copy "$PROJECT_DIR/src/$f" "$f"
done < <(cd "$PROJECT_DIR/src" && find . -type f \( -name '*.rs' -o -name '*.c' -o -name '*.h' \) | sed 's#^\./##' | sort)
copy "$PROJECT_DIR/include/dm-io-rs.h" dm-io-rs.h
# Files that left src/ leave the tree too.
while IFS= read -r f; do
	grep -qxF "$f" "$wanted" || { rm -f "$dest/$f"; changed=$((changed + 1)); }
done < <(cd "$dest" && find . -type f | sed 's#^\./##')
info "replace tree $tree: $changed source file(s) updated" >&2
echo "$tree"
