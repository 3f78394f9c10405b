#!/usr/bin/env bash
# The main job: boot the replace kernel (the patch series applied), where
# dm-mod runs the Rust dm-io in place of drivers/md/dm-io.c, and show it at
# work: its KUnit suites (built in, run at boot), then a dm mirror over two
# devices as a user builds it (tests/guest/run.sh; add demos there), then
# the Rust mirror target, the series' in-tree dm-rmirror module.
source "$(dirname "${BASH_SOURCE[0]}")/lib/lib.sh"

"$PROJECT_DIR/scripts/setup-host.sh"
export KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" replace | tail -n1)}"
ko="$KDIR/drivers/md/dm-rmirror/dm_rmirror.ko"
[ -f "$ko" ] || die "$ko missing: is $KDIR a replace kernel (CONFIG_DM_RMIRROR=m)?"
DM_IO_RS_CMDLINE="dmio=rust ${DM_IO_RS_CMDLINE:-}" "$PROJECT_DIR/scripts/lib/run-suite.sh" run
step "what the guest did"
sed -n '/dm-io-rs: guest up/,/dm-io-rs: guest done/p' "$PROJECT_DIR/out/run/console.txt" |
	grep -E "dm-io-rs|null_blk: disk" | sed 's/^/    /'

# The Rust device-mapper mirror built on dm-io-rs (tests/guest/rmirror-demo.sh).
"$PROJECT_DIR/scripts/lib/run-suite.sh" rmirror-demo "$ko"
step "the Rust mirror target (rmirror)"
grep "^rmirror-demo:" "$PROJECT_DIR/out/rmirror-demo/console.txt" | sed 's/^rmirror-demo: /    /'
