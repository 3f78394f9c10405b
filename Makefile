# SPDX-License-Identifier: GPL-2.0
# dm-io-rs: build the module against a Rust-enabled kernel tree, and test it
# in a QEMU guest.
#
#   make            build dm_io_rs.ko (sets up the host and kernel if needed)
#   make check      rustfmt, clippy, warning-free build, KUnit and dm scenarios in QEMU
#   make run        boot the guest and show dm-io-rs at work
#   make bench      time C dm_io() against rdm_io() in the guest; see BENCHMARKS.md
#   make bench-fio  fio on dm-mirror (stock vs replace kernel) and rmirror vs dm-mirror
#   make patches    the patch series for the kernel, in out/patches/
#   make peer       cryptsetup's integrity and verity suites on both kernels
#   make soak       long randomised runs (not part of check); see docs/testing.md
#   make bisect     each patch of the series built on its own (BISECT_ARCH=arm: ARMv7)
#   make bench-rmirror    rmirror against dm-mirror, synchronous load
#   make bench-profile WORKLOAD=write_4k_64reg   instructions per operation, per function
#   make fio-profile      the same for a fio job through the mirrors (FIO_JOB=randwrite)
#   make clean      remove build outputs
#
# KDIR=<dir>   build against your own configured, built kernel tree
# LLVM=-19     passed to the kernel build (default -19)

LLVM ?= -19
export LLVM

.PHONY: all modules check run bench bench-fio patches peer soak clean setup kernel \
	bisect bench-rmirror bench-profile fio-profile

all: modules

setup:
	@scripts/setup-host.sh

kernel: setup
	@scripts/build-kernel.sh >/dev/null

modules:
	@scripts/build-module.sh

check:
	@scripts/check.sh

run:
	@scripts/run.sh

bench:
	@scripts/bench.sh

bench-fio:
	@scripts/bench-fio.sh

patches:
	@scripts/make-patches.sh

peer:
	@scripts/run-peer-suites.sh

soak:
	@scripts/soak.sh

BISECT_ARCH ?= x86_64
bisect:
	@scripts/bisect-check.sh $(BISECT_ARCH)

bench-rmirror:
	@scripts/bench-rmirror.sh

bench-profile:
	@scripts/bench-profile.sh $(WORKLOAD)

FIO_JOB ?= randwrite
fio-profile:
	@scripts/fio-profile.sh $(FIO_JOB)

clean:
	@scripts/build-module.sh clean
	@rm -rf out bench/Module.symvers bench/modules.order
