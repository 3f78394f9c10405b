#!/usr/bin/env bash
# The main job: boot the guest with dm-io-rs and show it at work on real
# block devices (its KUnit suites run at module load), then summarise.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$PROJECT_DIR/scripts/setup-host.sh"
export KDIR="${KDIR:-$("$PROJECT_DIR/scripts/build-kernel.sh" | tail -n1)}"
ko="$("$PROJECT_DIR/scripts/build-module.sh" | tail -n1)"
"$PROJECT_DIR/scripts/run-suite.sh" run "$ko"
step "what the guest did"
sed -n '/dm-io-rs: guest up/,/dm-io-rs: guest done/p' "$PROJECT_DIR/out/run/console.txt" |
	grep -E "dm-io-rs|null_blk: disk|^# dm_io_rs|^(not )?ok [0-9]+ dm_io_rs" | sed 's/^/    /'

# The Rust device-mapper mirror built on dm-io-rs (tests/guest/rmirror-demo.sh).
"$PROJECT_DIR/scripts/run-suite.sh" rmirror-demo "$ko"
step "the Rust mirror target (rmirror)"
grep "^rmirror-demo:" "$PROJECT_DIR/out/rmirror-demo/console.txt" | sed 's/^rmirror-demo: /    /'
