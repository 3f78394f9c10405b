#!/usr/bin/env bash
# The misuse tests (tests/misuse/): each file is one misuse of the safe
# Rust API that must fail to build, with the error its `expect:` line
# names; control.rs must build without a warning. A test with a
# `build: codegen` line is compiled to an object: its error comes from a
# constant evaluated only where generic code is instantiated. They are compiled as
# drivers are, against the kernel crate of a kernel built from the patch
# series (the replace kernel): the rustc command line is the one kbuild
# used for the in-tree rmirror.
#
#   misuse-tests.sh KDIR [DIR]
# DIR: another directory of such files, such as an adversarial reviewer's
# probes (default tests/misuse).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

kdir="$(cd "${1:?usage: misuse-tests.sh KDIR [DIR]}" && pwd)"
dir="$(cd "${2:-$PROJECT_DIR/tests/misuse}" && pwd)"
cmdfile="$kdir/drivers/md/dm-rmirror/.dm_rmirror.o.cmd"
[ -f "$cmdfile" ] || die "$kdir has no in-tree rmirror build ($cmdfile): not a replace kernel?"
# `savedcmd_... := [ENV=...] rustc|clippy-driver FLAGS --out-dir ... FILE`:
# keep the environment and the flags, compile with rustc, emit metadata
# only (type and borrow checking, no code).
cmd="$(sed -n 's/^savedcmd_[^ ]* := //p' "$cmdfile")"
cmd="${cmd%% --out-dir *}"
cmd="$(sed -E 's/(^| )(clippy-driver|rustc) / rustc /; s/RUST_MODFILE=[^ ]* /RUST_MODFILE=misuse_test /' <<<"$cmd")"
[[ "$cmd" == *" rustc "* ]] || die "unexpected rustc command in $cmdfile"
# The kernel's Makefile exports this for every rustc it runs (-Z flags).
cmd="RUSTC_BOOTSTRAP=1 $cmd"

step "misuse tests: each must fail to build ($dir)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Each test is a module's crate root, as a driver is: `module!` gives it
# what `#[vtable]` and `pr_*!` expect there (`LocalModule`, the log prefix).
harness='
struct MisuseTest;
impl kernel::Module for MisuseTest {
    fn init(_module: &'"'"'static kernel::ThisModule) -> kernel::error::Result<Self> {
        Ok(MisuseTest)
    }
}
kernel::prelude::module! {
    type: MisuseTest,
    name: "misuse_test",
    authors: ["dm-io-rs"],
    description: "A misuse of the safe API that must not build",
    license: "GPL",
}'
failed=0 n=0
for t in "$dir"/*.rs; do
	name="$(basename "$t" .rs)"
	f="$tmp/$name.rs"
	{ cat "$t"; printf '%s\n' "$harness"; } >"$f"
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
	[ -n "$expect" ] || die "$t has no '//! expect:' line"
	emit="metadata=$tmp/$name.rmeta"
	! grep -qx '//! build: codegen' "$f" || emit="obj=$tmp/$name.o"
	if (cd "$kdir" && eval "$cmd --crate-name misuse_$name --emit=$emit $f") >"$tmp/$name.log" 2>&1; then
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
