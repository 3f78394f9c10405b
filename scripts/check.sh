#!/usr/bin/env bash
# Everything the project tests: formatting, clippy, a warning-free build,
# then the KUnit suites in a QEMU guest on real block devices, then the
# kernel's own dm targets on the stock kernel (C dm-io) and on the replace
# kernel (the Rust dm-io built into dm-mod; built here if needed).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

total=$SECONDS
"$PROJECT_DIR/scripts/setup-host.sh"
export KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
src="${KERNEL_SRC:-$(readlink -f "$KDIR/source" 2>/dev/null || "$PROJECT_DIR/scripts/fetch-kernel.sh" | tail -n1)}"

step "rustfmt --check"
mapfile -t rs < <(cd "$PROJECT_DIR" && find src tests -name '*.rs' | sort)
(cd "$PROJECT_DIR" && rustfmt --check --edition 2021 --config-path "$src/.rustfmt.toml" "${rs[@]}") ||
	die "rustfmt: run 'rustfmt --edition 2021 --config-path $src/.rustfmt.toml' on the files above"

"$PROJECT_DIR/scripts/build-module.sh" clippy >/dev/null
"$PROJECT_DIR/scripts/build-module.sh" clippy-builtin
ko="$("$PROJECT_DIR/scripts/build-module.sh" | tail -n1)"

"$PROJECT_DIR/scripts/run-suite.sh" kunit "$ko"
"$PROJECT_DIR/scripts/run-dm-scenarios.sh" stock replace
step "make check passed in $((SECONDS - total)) s"
