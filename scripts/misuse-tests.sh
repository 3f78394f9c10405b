#!/usr/bin/env bash
# The misuse tests (tests/misuse/): each file is one misuse of the safe
# Rust API that must fail to build, with the error its `expect:` line
# names; control.rs must build without a warning. They are compiled as
# drivers are, against the kernel crate of a kernel built from the patch
# series (the replace kernel): the rustc command line is the one kbuild
# used for the in-tree rmirror.
#
#   misuse-tests.sh KDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kdir="$(cd "${1:?usage: misuse-tests.sh KDIR}" && pwd)"
cmdfile="$kdir/drivers/md/dm-rmirror/.dm_rmirror.o.cmd"
[ -f "$cmdfile" ] || die "$kdir has no in-tree rmirror build ($cmdfile): not a replace kernel?"
# `savedcmd_... := [ENV=...] rustc|clippy-driver FLAGS --out-dir ... FILE`:
# keep the environment and the flags, compile with rustc, emit metadata
# only (type and borrow checking, no code).
cmd="$(sed -n 's/^savedcmd_[^ ]* := //p' "$cmdfile")"
cmd="${cmd%% --out-dir *}"
cmd="$(sed -E 's/(^| )(clippy-driver|rustc) / rustc /; s/RUST_MODFILE=[^ ]* //' <<<"$cmd")"
[[ "$cmd" == *" rustc "* ]] || die "unexpected rustc command in $cmdfile"

step "misuse tests: each must fail to build (tests/misuse)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failed=0 n=0
for f in "$PROJECT_DIR"/tests/misuse/*.rs; do
	name="$(basename "$f" .rs)"
	n=$((n + 1))
	if [ "$name" = control ]; then
		if ! (cd "$kdir" && eval "$cmd -Dwarnings --crate-name misuse_$name --emit=metadata=$tmp/$name.rmeta $f") >"$tmp/$name.log" 2>&1; then
			cat "$tmp/$name.log" >&2
			info "FAIL $name: the control does not build" >&2
			failed=$((failed + 1))
		fi
		continue
	fi
	expect="$(sed -n 's|^//! expect: ||p' "$f")"
	[ -n "$expect" ] || die "$f has no '//! expect:' line"
	if (cd "$kdir" && eval "$cmd --crate-name misuse_$name --emit=metadata=$tmp/$name.rmeta $f") >"$tmp/$name.log" 2>&1; then
		info "FAIL $name: builds, but it is a misuse" >&2
		failed=$((failed + 1))
	elif ! grep -qF -- "$expect" "$tmp/$name.log"; then
		cat "$tmp/$name.log" >&2
		info "FAIL $name: refused, but not with '$expect'" >&2
		failed=$((failed + 1))
	else
		info "ok $name: $expect" >&2
	fi
done
[ "$failed" = 0 ] || die "$failed of $n misuse tests failed"
info "$n misuse tests: the control builds, every misuse is refused" >&2
