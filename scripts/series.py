#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The patch series for Linux, made from this repository's files.

    series.py generate SOURCE_TREE OUT_DIR

writes OUT_DIR/0000-cover-letter.patch ... as `git format-patch` does,
against the files of SOURCE_TREE that the series touches (a kernel tree of
the version the project builds). The same commit of this repository always
gives the same bytes: dates and names come from its HEAD commit.

    series.py files

prints the kernel paths that the series changes or adds, one per line.

Where a file goes, and which patch brings it, is the table below. The
repository's files are the series' own (src/, include/, tests/); what this
script does to them is mechanical:

- driver-side files (dm-io, its tests, rmirror) name the kernel-crate
  modules the series adds as `crate::block`, `crate::device_mapper`, ...,
  which is where the out-of-tree build compiles them (src/lib.rs): here
  they become `kernel::block`, `kernel::device_mapper`, ...;
- items only for the out-of-tree build are dropped: `#[cfg(dm_io_rs_out_of_
  tree)]` items (with their doc comments and attributes), and the
  `cfg(not(dm_io_rs_out_of_tree))` and `cfg_attr(...)` wrappers around the
  in-tree ones;
- a file that grows over several patches (device_mapper.rs, a Kconfig,
  MAINTAINERS) is written at each step without the lines of later patches;
  at the end every file must equal what the repository holds.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The kernel-crate modules the series adds, as driver-side files name them.
SHADOW = ("alloc", "block", "device_mapper", "mempool", "mm", "sync", "bindings", "module_dm_target")


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def strip_out_of_tree(text, where):
    """Drops what only the out-of-tree build compiles."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        s = line.strip()
        if s == "#[cfg(not(dm_io_rs_out_of_tree))]":
            i += 1
            continue
        m = re.match(r"^(\s*)#\[cfg_attr\(not\(dm_io_rs_out_of_tree\), (.*)\)\]$", line)
        if m:
            out.append("%s#[%s]" % (m.group(1), m.group(2)))
            i += 1
            continue
        if re.match(r"^\s*#\[cfg_attr\(dm_io_rs_out_of_tree, .*\)\]$", line):
            i += 1
            continue
        if s == "#[cfg(dm_io_rs_out_of_tree)]":
            # The doc comments above the item go with it.
            while out and out[-1].strip().startswith("///"):
                out.pop()
            i += 1
            while lines[i].strip().startswith("#["):
                i += 1
            depth = 0
            while True:
                t = lines[i]
                depth += t.count("{") - t.count("}")
                i += 1
                if depth == 0 and (t.rstrip().endswith(";") or t.rstrip().endswith("}")):
                    break
                if i >= len(lines):
                    sys.exit("%s: unterminated out-of-tree item" % where)
            # No double blank line where the item was.
            if out and not out[-1].strip() and i < len(lines) and not lines[i].strip():
                i += 1
            continue
        if "dm_io_rs_out_of_tree" in line:
            sys.exit("%s: unhandled out-of-tree line: %s" % (where, line))
        out.append(line)
        i += 1
    return "\n".join(out)


def to_kernel_paths(text, where):
    """`crate::block` etc. become `kernel::block` etc."""
    roots = "|".join(SHADOW)

    def group(m):
        body = m.group(2)
        items, depth, cur = [], 0, ""
        for ch in body:
            depth += ch == "{"
            depth -= ch == "}"
            if ch == "," and depth == 0:
                items.append(cur.strip())
                cur = ""
            else:
                cur += ch
        if cur.strip():
            items.append(cur.strip())
        shadow = [bool(re.match(r"(%s)\b" % roots, it)) for it in items if it]
        if not any(shadow):
            return m.group(0)
        if not all(shadow):
            sys.exit("%s: `use crate::{...}` mixes kernel and crate paths" % where)
        return "%suse kernel::{%s};" % (m.group(1), body)

    text = re.sub(r"(?m)^(\s*)use crate::\{(.*?)\};", group, text, flags=re.S)
    return re.sub(r"\bcrate::(%s)\b" % roots, r"kernel::\1", text)


class New:
    """A file the series adds, from a repository file."""

    def __init__(self, dst, src, driver=False):
        self.dst, self.src, self.driver = dst, src, driver

    def text(self):
        t = strip_out_of_tree(read(self.src), self.src)
        if not self.driver:
            return t
        t = to_kernel_paths(t, self.src)
        # `kernel::` sorts elsewhere among the imports than `crate::` did.
        if self.dst.endswith(".rs"):
            t = run(["rustfmt", "--edition", "2021", "--config", "newline_style=Unix"], ROOT, stdin=t)
        return t


class Replace(New):
    """An existing file the series rewrites, from a repository file."""


class Diff:
    """An existing file changed by a diff in the repository."""

    def __init__(self, dst, diff):
        self.dst, self.diff = dst, diff


class Insert:
    """Text inserted into a file next to the one place `anchor` occurs."""

    def __init__(self, dst, anchor, text, before=False):
        self.dst, self.anchor, self.ins, self.before = dst, anchor, text, before


# The series' own entry: what device-mapper will own. The kernel crate's
# block and mm files fall under their existing Rust entries ("BLOCK LAYER
# DEVICE DRIVER API [RUST]", "MEMORY MANAGEMENT - RUST"). M: is whoever
# makes the patches.
MAINTAINERS_HEAD = """DEVICE-MAPPER RUST (DM-IO AND TARGET ABSTRACTIONS)
M:\t%s <%s>
L:\tdm-devel@lists.linux.dev
L:\trust-for-linux@vger.kernel.org
S:\tMaintained
"""

RUST_DM_ABSTRACTIONS = """config RUST_DM_ABSTRACTIONS
\tbool "Rust device-mapper abstractions"
\tdepends on RUST && BLK_DEV_DM=y
\thelp
\t  Adds the Rust abstractions for device-mapper: the dm-io client API
\t  (kernel::device_mapper::io) and, for targets written in Rust, target
\t  types, their bios and devices. They call into dm-mod, which must be
\t  built in.

"""

# (subject, body, changes). The bodies are the commit messages.
SERIES = [
    (
        "dm io: zero-fill failed reads",
        """\
When a read fails, dm-io's endio zero-fills the bio so that no stale data
reaches the caller. It does so with zero_fill_bio(), which clears the
bio's current range: but by the time the endio runs, blk-mq has advanced
bi_iter to the end of the bio, so nothing is cleared, and the caller's
buffer keeps whatever it held before the read.

Zero every segment the bio was built with instead. A DM_IO_BIO read goes
through a clone of the caller's bio, whose segments are the caller's; for
it, complete_io() zeroes the caller's bio over the region's size. It keeps
the bio where the DM_IO_VMA invalidation keeps its address (a request has
one kind of memory), with the size in a hole of struct io, which stays 64
bytes.

Reproducer: dm_io() a synchronous read of 8 sectors, DM_IO_KMEM into a
buffer filled with 0xaa, from a null_blk device with
"echo +0-1023 > badblocks". dm_io() returns -EIO and error bit 0; before
this patch the buffer still holds 0xaa, after it zeroes. The same for
DM_IO_PAGE_LIST, DM_IO_VMA and DM_IO_BIO memory (the dm-io-rs KUnit
suite dm_io_rust_failures, failed_read_is_zero_filled, checks all four).""",
        [Diff("drivers/md/dm-io.c", "src/dm-io-c/zero-fill-failed-reads.diff")],
    ),
    (
        "dm io: keep REQ_ALLOC_CACHE off DM_IO_BIO clones",
        """\
A target that hands its bio to dm_io() as DM_IO_BIO memory may pass the
bio's bi_opf on, and that may carry REQ_ALLOC_CACHE, which says the bio
came from a per-cpu bio cache. do_region() sets the clone's bi_opf to it.
The clone comes from the client's bio_set, which has no per-cpu cache,
and bio_put() of the clone then follows bi_pool->cache, a NULL per-cpu
pointer, and oopses.

Drop the flag from the clone: it describes how a bio was allocated, and
the clone was allocated by dm-io. Bios that dm-io allocates itself are not
affected: bio_alloc_bioset() clears the flag when the bio_set has no
cache.

Reproducer: dm_io() a write with DM_IO_BIO memory and bi_opf
REQ_OP_WRITE | REQ_ALLOC_CACHE (a bio from bio_alloc_bioset(...,
REQ_ALLOC_CACHE, ..., &fs_bio_set), as io_uring's bios are). The oops is in
bio_put() -> bio_put_percpu_cache() when the clone completes.""",
        [Diff("drivers/md/dm-io.c", "src/dm-io-c/alloc-cache-clones.diff")],
    ),
    (
        "rust: sync: completion: add wait_for_completion_io()",
        """\
A task that waits for I/O it submitted should wait with
wait_for_completion_io(), so that the time shows as I/O wait and in the
load average, as dm-io's synchronous requests do. Add it next to
wait_for_completion().""",
        [Replace("rust/kernel/sync/completion.rs", "src/sync/completion.rs")],
    ),
    (
        "rust: add a mempool abstraction",
        """\
I/O paths allocate from a mempool to make progress under memory pressure:
an allocation the page allocator cannot satisfy is served from a reserve,
or waits for an element to come back.

Add Mempool<T>, a pool of elements that hold a T: objects of a slab
cache of T (KmemCache<T>, kmem_cache_create() with T's size and
alignment, as KMEM_CACHE() makes one, so they show in /proc/slabinfo and
to slab debugging; mempool_init_slab_pool()). Its alloc() is
mempool_alloc() with the caller's flags and gives a PoolBox<T>: the
element holding a T, given back on drop, or moved out with
into_inner(), which frees the element before whatever the T does next.
A pool borrows its cache for 'static, so no cache is destroyed under
one.

Add GFP_NOIO to kernel::alloc::flags: what an I/O path allocates with,
so that reclaim does not recurse into the I/O it waits for.""",
        [
            New("rust/kernel/mempool.rs", "src/mempool.rs"),
            New("rust/kernel/mm/kmem_cache.rs", "src/mm/kmem_cache.rs"),
            Insert("rust/kernel/lib.rs", "pub mod maple_tree;\n", "pub mod mempool;\n"),
            Insert("rust/kernel/mm.rs", "pub mod virt;\n", "pub mod kmem_cache;\n", before=True),
            Insert(
                "rust/kernel/alloc.rs",
                "    pub const GFP_NOWAIT: Flags = Flags(bindings::GFP_NOWAIT);\n",
                "\n    /// Like [`GFP_KERNEL`], but reclaim does not start physical I/O: for\n"
                "    /// allocations on a block device's I/O path, which reclaim may wait for.\n"
                "    pub const GFP_NOIO: Flags = Flags(bindings::GFP_NOIO);\n",
            ),
            Insert(
                "rust/bindings/bindings_helper.h",
                "const gfp_t RUST_CONST_HELPER_GFP_KERNEL_ACCOUNT = GFP_KERNEL_ACCOUNT;\n",
                "const gfp_t RUST_CONST_HELPER_GFP_NOIO = GFP_NOIO;\n",
            ),
        ],
    ),
    (
        "rust: mm: add memalloc_noio_scope()",
        """\
Code on an I/O path must not recurse into I/O through reclaim. Add
memalloc_noio_scope(), which runs a closure between memalloc_noio_save()
and memalloc_noio_restore(), so that its GFP_KERNEL allocations (a KBox,
a KVec) behave as GFP_NOIO ones; and memalloc_retry_wait(), for code
that must not fail for want of memory and tries a failed allocation
again (the dm-io client API boxes a request's callback so).""",
        [
            New("rust/kernel/mm/memalloc.rs", "src/mm/memalloc.rs"),
            Replace("rust/helpers/mm.c", "src/helpers/mm.c"),
            Insert("rust/kernel/mm.rs", "pub mod virt;\n", "pub mod memalloc;\n", before=True),
        ],
    ),
    (
        "rust: block: add bio, bio set, block device, request flag and plug abstractions",
        """\
Add what a stacking driver needs to build and submit bios of its own, as
dm-io does:

- BlockDevice: a block device someone keeps open, and its limits.
- Opf, ReqOp, ReqFlags: a blk_opf_t, its operation and its flags;
  IoPriority: an I/O priority whose class the schedulers know, from
  checked constructors.
- BioSet: a struct bio_set with bio vector pools.
- Bio: a bio that its owner lends (for example a caller's bio that is the
  memory of a request), its pages to be read, and written too if it is a
  read; Segment: one struct bio_vec, borrowing its pages; KernelBuf:
  vmalloc or kmalloc memory lent for I/O, and the segments behind it.
  Memory carries the direction I/O moves its bytes (ToDevice,
  FromDevice), so that memory lent only to be read, such as the pages of
  a write, can never be read into.
- NewBio: a bio allocated from a BioSet and being filled in; its device,
  bio set and pages are borrowed for a lifetime that must outlast its
  I/O. Its operation is set when it is made and matches its direction;
  flush flags and REQ_ATOMIC only go on writes, REQ_POLLED and
  REQ_ALLOC_CACHE never on a new bio. A data bio's size only grows with
  the segments added, a clone is trimmed within its source and takes no
  segments, and only a bio without data gets a size of its own.
- Shared: state that several in-flight bios share, counted, with what
  each bio's completion records in it and what the last one does. Each
  bio carries its address and a small tag in bi_private, which only this
  module encodes and decodes. The state lives on the stack of a task that
  waits for its bios (scope(), with wait_for_completion_io()), in a
  Mempool element, or in the front pad of its first bio (dm core keeps
  struct dm_io the same way); the pool element or the bio goes before
  the state's completion runs. A value in a bio's front pad can also
  travel alone with it (FrontPadEndIo). This is the counting of dm-io's
  struct io, dm core's struct dm_io and md's r1bio, without their policy.
- with_plug_if(): a block plug around a closure, if asked for.

Names follow the bio abstractions posted for rnull (Bio, Segment) where
the concepts are the same.""",
        [
            New("rust/kernel/block/bdev.rs", "src/block/bdev.rs"),
            New("rust/kernel/block/bio.rs", "src/block/bio.rs"),
            New("rust/kernel/block/bio/front_pad.rs", "src/block/bio/front_pad.rs"),
            New("rust/kernel/block/bio/kernel_buf.rs", "src/block/bio/kernel_buf.rs"),
            New("rust/kernel/block/bio/shared.rs", "src/block/bio/shared.rs"),
            New("rust/kernel/block/bio/shared/host.rs", "src/block/bio/shared/host.rs"),
            New("rust/kernel/block/bio/shared/pool.rs", "src/block/bio/shared/pool.rs"),
            New("rust/kernel/block/bio/shared/stack.rs", "src/block/bio/shared/stack.rs"),
            New("rust/kernel/block/bio/vec.rs", "src/block/bio/vec.rs"),
            New("rust/kernel/block/bio_set.rs", "src/block/bio_set.rs"),
            New("rust/kernel/block/ioprio.rs", "src/block/ioprio.rs"),
            New("rust/kernel/block/opf.rs", "src/block/opf.rs"),
            New("rust/kernel/block/plug.rs", "src/block/plug.rs"),
            Replace("rust/helpers/blk.c", "src/helpers/blk.c"),
            Replace("rust/helpers/page.c", "src/helpers/page.c"),
            Replace("rust/helpers/dma.c", "src/helpers/dma.c"),
            Replace("rust/helpers/task.c", "src/helpers/task.c"),
            Replace("rust/helpers/vmalloc.c", "src/helpers/vmalloc.c"),
            Insert(
                "rust/kernel/block.rs",
                "pub mod mq;\n",
                "pub mod bdev;\npub mod bio;\npub mod bio_set;\npub mod ioprio;\n",
                before=True,
            ),
            Insert("rust/kernel/block.rs", "pub mod mq;\n", "pub mod opf;\npub mod plug;\n"),
        ],
    ),
    (
        "rust: device_mapper: add page lists and regions",
        """\
Start kernel::device_mapper with the plain data of <linux/dm-io.h>:
struct page_list, as an owned PageList linked as C expects it and a
PageListCursor that walks a chain C passes in; struct dm_io_region, as
Region; and IoBits, the error and unsupported bits of a request's
regions. Both the dm-io client API and dm-mod's Rust dm-io use them, so
that a request and its outcome have one vocabulary, and the module is
built whenever BLK_DEV_DM is (dm-mod may be a module).""",
        [
            New("rust/kernel/device_mapper.rs", "src/device_mapper.rs"),
            New("rust/kernel/device_mapper/page_list.rs", "src/device_mapper/page_list.rs"),
            New("rust/kernel/device_mapper/region.rs", "src/device_mapper/region.rs"),
            Insert(
                "rust/kernel/lib.rs",
                "pub mod device_id;\n",
                "#[cfg(CONFIG_BLK_DEV_DM)]\npub mod device_mapper;\n",
            ),
            Insert(
                "rust/bindings/bindings_helper.h",
                "#include <linux/dma-direction.h>\n",
                "#include <linux/dm-io.h>\n",
                before=True,
            ),
        ],
    ),
    (
        "dm io: add a Rust implementation",
        """\
Add dm-io in Rust, and CONFIG_DM_IO_RUST to link it into dm-mod in place
of dm-io.c: the same API (<linux/dm-io.h>) for every caller of dm_io().

The dm-io logic (regions, memory, the io object, the client, dispatch,
requests) has no unsafe code: the io object is the bios' Shared state,
whose counting and bi_private encoding the kernel crate does, and the C
entry points (c_abi.rs) are the only place that turns C pointers into
references. They check what upstream does not, and return -EINVAL where
dm-io.c would crash or hang: NULL requests, clients, region arrays or
devices, more than BITS_PER_LONG regions, an unknown memory type, NULL
memory for a region that moves data, a page-list offset of a page or
more, a DM_IO_BIO region larger than its bio. A region beyond the sector
space fails on its own, as an I/O error, as upstream reports it.

It behaves as dm-io.c with the two fixes before this patch (failed reads
are zeroed, REQ_ALLOC_CACHE does not reach its bios), and also drops
REQ_NOWAIT and REQ_POLLED, which describe a caller's own bio: nobody polls
dm-io's bios, and a request that may wait for memory cannot promise not to
block. Beyond dm-io.c it takes DM_IO_BVEC memory (an array of bio_vecs, as
far as the regions reach), the kind the original design had; dm-io.c
refuses it with -EINVAL. A synchronous request keeps its io object on the
stack, with no pool allocation; kmalloc memory goes into one multi-page
segment. An atomic write that does not fit one bio fails as unsupported,
where dm-io.c splits it with a warning.

Tested: KUnit (the next patches), the kernel's dm targets (mirror with
core and disk logs, snapshots, dm-integrity, dm-writecache, dm-verity,
dm-ebs, dm-thin) on a kernel with DM_IO_RUST=y, and cryptsetup's
integrity and verity tests; built with DM_IO_RUST on and off, with
BLK_DEV_DM=y and =m.

dm_get_reserved_bio_based_ios(), which sizes a client's reserve as in
dm-io.c, moves from drivers/md/dm.h to <linux/device-mapper.h>, where
bindgen sees it.""",
        [
            New("drivers/md/dm-io-rust/dm_io_rust.rs", "src/dm_io_rust/dm_io_rust.rs", driver=True),
            New("drivers/md/dm-io-rust/c_abi.rs", "src/dm_io_rust/c_abi.rs", driver=True),
            New("drivers/md/dm-io-rust/client.rs", "src/dm_io_rust/client.rs", driver=True),
            New("drivers/md/dm-io-rust/dispatch.rs", "src/dm_io_rust/dispatch.rs", driver=True),
            New("drivers/md/dm-io-rust/io.rs", "src/dm_io_rust/io.rs", driver=True),
            New("drivers/md/dm-io-rust/io/front_pad.rs", "src/dm_io_rust/io/front_pad.rs", driver=True),
            New("drivers/md/dm-io-rust/io/pool.rs", "src/dm_io_rust/io/pool.rs", driver=True),
            New("drivers/md/dm-io-rust/io/stack.rs", "src/dm_io_rust/io/stack.rs", driver=True),
            New("drivers/md/dm-io-rust/memory.rs", "src/dm_io_rust/memory.rs", driver=True),
            New("drivers/md/dm-io-rust/request.rs", "src/dm_io_rust/request.rs", driver=True),
            New("drivers/md/dm-io-rust/exports.c", "src/dm_io_rust/exports.c"),
            New("drivers/md/dm-io-rust/Kconfig", "src/dm_io_rust/Kconfig"),
            Insert(
                "drivers/md/Kconfig",
                "config DM_BUFIO\n",
                'source "drivers/md/dm-io-rust/Kconfig"\n\n',
                before=True,
            ),
            Insert(
                "drivers/md/Makefile",
                "\t\t   dm-ioctl.o dm-io.o dm-kcopyd.o dm-sysfs.o dm-stats.o \\\n",
                "",
            ),
            Insert(
                "include/linux/dm-io.h",
                "\tDM_IO_KMEM,\t/* Kernel memory */\n",
                "\tDM_IO_BVEC,\t/* Bio vector array (CONFIG_DM_IO_RUST only) */\n",
            ),
            Insert(
                "include/linux/dm-io.h",
                "\t\tvoid *addr;\n",
                "\t\tstruct bio_vec *bvec;\n",
            ),
            Diff("drivers/md/dm.h", "src/dm_io_rust/dm-h.diff"),
            Insert(
                "include/linux/device-mapper.h",
                "unsigned int dm_bio_get_target_bio_nr(const struct bio *bio);\n",
                "unsigned int dm_get_reserved_bio_based_ios(void);\n",
            ),
            Insert(
                "rust/bindings/bindings_helper.h",
                "#include <linux/device/faux.h>\n",
                "#include <linux/device-mapper.h>\n",
                before=True,
            ),
        ],
    ),
    (
        "rust: device_mapper: add the dm-io client API",
        """\
Add kernel::device_mapper::io: dm-io for Rust callers, over dm_io(),
whichever implementation dm-mod links. A DmIoRequest names its regions
(at most BITS_PER_LONG, each a device borrowed for the request), its
memory and its I/O priority; requests are checked before dm_io() is
called, so that neither implementation sees what it mishandles: memory
that does not cover every region, memory lent only to be read for a
read, a bio without data pages as data, regions whose sectors wrap,
operations other than read, write, discard and write-zeroes, flush flags
on anything but a write.

- DmIoClient::sync_io() waits for the request.
- DmIoClient::scope() sends asynchronous requests that borrow memory and
  devices, and returns when all of them completed, as
  std::thread::scope does for threads.
- async_io() sends an OwnedIo: a 'static request that owns, or keeps
  alive, everything its I/O touches, and gets it back once, from the
  completion.

Dropping a DmIoClient defers dm_io_client_destroy(), which sleeps, to a
work item: a request's completion, in interrupt context, may drop the
last reference to the client it went through. A scope is not Sync, so a
completion callback cannot send from it; the functions that send sleep,
and check it with might_sleep().

The API needs dm-mod built in (it calls dm_io()), hence
CONFIG_RUST_DM_ABSTRACTIONS, which depends on BLK_DEV_DM=y, as
RUST_PHYLIB_ABSTRACTIONS does on PHYLIB=y.""",
        [
            New("rust/kernel/device_mapper/io.rs", "src/device_mapper/io.rs"),
            Insert("drivers/md/Kconfig", "config DM_DEBUG\n", RUST_DM_ABSTRACTIONS, before=True),
        ],
    ),
    (
        "dm io: add KUnit tests",
        """\
Add KUnit suites for dm-io, through its Rust API. They make the block
devices they need in the kernel: a memory-backed, bio-based test disk
with the limits a test asks for (discard and write-zeroes limits,
max_sectors, bad sectors, atomic writes, completion from a timer), which
records every bio that reaches it. So no set-up from user space is
needed, and kunit.py runs them (with
--kunitconfig=drivers/md/dm-io-rust/tests).

Data written through one memory source is checked on the disk directly
and read back through another; the records show what reached the device:
bios cut at the discard and write-zeroes limits, the I/O priority on
every bio, an atomic write in one bio, REQ_ALLOC_CACHE, REQ_POLLED and
REQ_NOWAIT dropped, a bit for each failing region at each of the 64
indices, failed reads zeroed for every memory kind, callbacks that run
exactly once with 128 requests in flight on a disk completing in
interrupt context.""",
        [
            New("drivers/md/dm-io-rust/tests/dm_io_rust_test.rs", "tests/dm_io_rust_test/dm_io_rust_test.rs", driver=True),
            New("drivers/md/dm-io-rust/tests/common.rs", "tests/dm_io_rust_test/common.rs", driver=True),
            New("drivers/md/dm-io-rust/tests/completion.rs", "tests/dm_io_rust_test/completion.rs", driver=True),
            New("drivers/md/dm-io-rust/tests/failures.rs", "tests/dm_io_rust_test/failures.rs", driver=True),
            New("drivers/md/dm-io-rust/tests/flags.rs", "tests/dm_io_rust_test/flags.rs", driver=True),
            New("drivers/md/dm-io-rust/tests/memory.rs", "tests/dm_io_rust_test/memory.rs", driver=True),
            New("drivers/md/dm-io-rust/tests/regions.rs", "tests/dm_io_rust_test/regions.rs", driver=True),
            New("drivers/md/dm-io-rust/tests/test_disk.rs", "tests/dm_io_rust_test/test_disk.rs", driver=True),
            New("drivers/md/dm-io-rust/tests/test_disk.c", "tests/dm_io_rust_test/test_disk.c"),
            New("drivers/md/dm-io-rust/tests/test_disk.h", "tests/dm_io_rust_test/test_disk.h"),
            New("drivers/md/dm-io-rust/tests/Makefile", "tests/dm_io_rust_test/Makefile"),
            New("drivers/md/dm-io-rust/tests/.kunitconfig", "tests/dm_io_rust_test/.kunitconfig"),
            Insert(
                "drivers/md/Makefile",
                "obj-$(CONFIG_BLK_DEV_DM_BUILTIN) += dm-builtin.o\n",
                "obj-$(CONFIG_DM_IO_RUST_KUNIT_TEST) += dm-io-rust/tests/\n",
            ),
            Insert(
                "rust/bindings/bindings_helper.h",
                '#include "../../drivers/android/binder/rust_binder_events.h"\n#endif\n',
                "\n#if IS_ENABLED(CONFIG_DM_IO_RUST_KUNIT_TEST)\n"
                '#include "../../drivers/md/dm-io-rust/tests/test_disk.h"\n'
                "#endif\n",
            ),
        ],
    ),
    (
        "rust: device_mapper: add target abstractions",
        """\
Add what a device-mapper target written in Rust needs: Target, a trait
with #[vtable], whose hooks left out stay NULL in the struct
target_type; TargetRegistration; TargetInit, the constructor's view,
which takes devices with dm_get_device(); and the bios of the hooks.

What the C API leaves to the target's care, the types hold:

- Per-bio data is the target's associated type PerBio, sized by the
  layer (ti->per_io_data_size) in the constructor, before dm-core sizes
  its clones from it, and set up before map sees the bio.
- Per-bio data is Copy (dm-core frees it without a drop) and at most
  64 KiB, checked when the target is built.
- A map hook returns a MapResult that only the bio of that call can give
  (its lifetime is invariant): remap, kill, or take it, and only a taken
  bio (a PendingBio, which ends it with an error if dropped) goes with
  DM_MAPIO_SUBMITTED.
- An end_io hook returns what it did with the bio: EndIoBio::done() for a
  bio it leaves to dm-core, or retry(), which takes the bio back as a
  RetryBio, restored from the record the layer made when it was
  remapped: the only kind that can be submitted again.
- Devices belong to the layer, which puts them after the target is
  dropped; a target borrows them through TargetRef::devices(), so none
  can outlive the target, and names them by index when it sends a bio:
  a bio only ever goes to a device of the instance that mapped it.
- The instance is reference counted (TargetRef), and the destructor waits
  for every reference, so I/O and work that outlive a hook may use it;
  once the target's stop hook returned, its work function no longer
  runs, so work that queues itself cannot keep it alive.
- A taken bio can go on through dm-io as a request of its own (bio_io),
  through the instance that mapped it, its state in its per-bio data, as
  dm-raid1 writes to every leg without an allocation; the request holds a
  TargetRef until it completes.

struct dm_target and struct target_type come from bindgen, bit fields
included, so no Rust copy of their layout can go stale; a bio to be sent
again is recorded and restored by dm_bio_record() and dm_bio_restore()
of drivers/md/dm-bio-record.h, through helpers.""",
        [
            New("rust/kernel/device_mapper/bio.rs", "src/device_mapper/bio.rs"),
            New("rust/kernel/device_mapper/bio_io.rs", "src/device_mapper/bio_io.rs"),
            New("rust/kernel/device_mapper/dev.rs", "src/device_mapper/dev.rs"),
            New("rust/kernel/device_mapper/status.rs", "src/device_mapper/status.rs"),
            New("rust/kernel/device_mapper/target.rs", "src/device_mapper/target.rs"),
            New("rust/helpers/bio.c", "src/helpers/bio.c"),
            Insert("rust/helpers/helpers.c", '#include "binder.c"\n', '#include "bio.c"\n'),
            New("rust/helpers/dm.c", "src/helpers/dm.c"),
            Insert("rust/helpers/helpers.c", '#include "dma.c"\n', '#include "dm.c"\n', before=True),
            Insert(
                "rust/bindings/bindings_helper.h",
                '#include "../../drivers/md/dm-io-rust/tests/test_disk.h"\n#endif\n',
                '\n/* For rust/helpers/dm.c, which the helpers build always. */\n'
                '#include "../../drivers/md/dm-bio-record.h"\n',
            ),
        ],
    ),
    (
        "dm: add rmirror, a mirror target in Rust",
        """\
Add rmirror, a mirror target (what dm-raid1 does) in Rust on the
device-mapper and dm-io abstractions, with a kcopyd-style resync engine:
a sample of those abstractions at work, and of what they hold in types.

Table: <region_sectors> <n_legs> <dev>... [nosync]

Writes go to every healthy leg as one dm-io request with the bio as
memory (DM_IO_BIO), through bio_io(); a leg whose write fails is marked
failed and skipped, and a write succeeds while one leg took it. Reads are
remapped to one leg, with no allocation, the legs tried so far kept as
per-bio data; a failed read is taken back in end_io and sent to another
in-sync leg from the work item. Empty flushes and discards reach every
healthy leg. The resync engine copies out-of-sync regions from the
default leg to the others with up to eight jobs in flight on page-list
memory, and a region is only copied while no write to it is in flight;
writes to a region being copied wait for it. Suspend stops the engine;
the destructor waits for everything in flight.

Tested with dmsetup: two and three legs, a leg failing under writes, a
leg replaced and resynchronised during writes, read retries, flushes and
discards counted on the legs, bad table lines, suspend during resync and
removal with I/O in flight, under KASAN, lockdep and kmemleak.""",
        [
            New("drivers/md/dm-rmirror/dm_rmirror.rs", "src/dm_rmirror/dm_rmirror.rs", driver=True),
            New("drivers/md/dm-rmirror/io.rs", "src/dm_rmirror/io.rs", driver=True),
            New("drivers/md/dm-rmirror/region_map.rs", "src/dm_rmirror/region_map.rs", driver=True),
            New("drivers/md/dm-rmirror/resync.rs", "src/dm_rmirror/resync.rs", driver=True),
            New("drivers/md/dm-rmirror/Kconfig", "src/dm_rmirror/Kconfig"),
            New("drivers/md/dm-rmirror/Makefile", "src/dm_rmirror/Makefile"),
            Insert(
                "drivers/md/Kconfig",
                "config DM_BUFIO\n",
                'source "drivers/md/dm-rmirror/Kconfig"\n\n',
                before=True,
            ),
            Insert(
                "drivers/md/Makefile",
                "obj-$(CONFIG_DM_MIRROR)\t\t+= dm-mirror.o dm-log.o dm-region-hash.o\n",
                "obj-$(CONFIG_DM_RMIRROR)\t+= dm-rmirror/\n",
            ),
        ],
    ),
]

# Lines of a file that a later patch than the file's first brings:
# (patch subject prefix, file, text).
LATER = [
    ("rust: device_mapper: add the dm-io client API", "rust/kernel/device_mapper.rs",
     "#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]\npub mod io;\n"),
    ("rust: device_mapper: add target abstractions", "rust/kernel/device_mapper.rs",
     "#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]\npub mod bio;\n"
     "#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]\npub mod bio_io;\n"
     "#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]\npub mod dev;\n"),
    ("rust: device_mapper: add target abstractions", "rust/kernel/device_mapper.rs",
     "#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]\npub mod status;\n"
     "#[cfg(CONFIG_RUST_DM_ABSTRACTIONS)]\n#[macro_use]\npub mod target;\n"),
    ("dm io: add KUnit tests", "drivers/md/dm-io-rust/Kconfig",
     "\nconfig DM_IO_RUST_KUNIT_TEST\n"),
]

# Lines a file has only until a later patch, which brings what they stand
# in for: (patch subject prefix, file, anchor, text inserted before the one
# place the anchor occurs). Each patch must build with no warning: a
# crate-private item whose first user comes in a later patch is dead code
# until then.
UNTIL = []

# The Makefile change of the dm-io patch: dm-io.o out of the list, then in
# again unless CONFIG_DM_IO_RUST.
MAKEFILE_DM_IO = (
    "ifdef CONFIG_DM_IO_RUST\n"
    "dm-mod-y\t+= dm-io-rust/dm_io_rust.o dm-io-rust/exports.o\n"
    "else\n"
    "dm-mod-y\t+= dm-io.o\n"
    "endif\n"
)


def run(cmd, cwd, env=None, stdin=None):
    r = subprocess.run(cmd, cwd=cwd, env=env, input=stdin, capture_output=True, text=True)
    if r.returncode:
        sys.exit("%s failed in %s:\n%s%s" % (" ".join(cmd), cwd, r.stdout, r.stderr))
    return r.stdout


def paths():
    seen = []
    for _, _, changes in SERIES:
        for c in changes:
            if c.dst not in seen:
                seen.append(c.dst)
    return seen + ["MAINTAINERS"]


def identity():
    """The author and signer of the patches: whoever runs this, as git
    knows them. The date is the last commit's, so that the same tree gives
    the same patches."""
    who = []
    for key in ("user.name", "user.email"):
        r = subprocess.run(["git", "config", key], cwd=ROOT, capture_output=True, text=True)
        if r.returncode or not r.stdout.strip():
            sys.exit(
                "series.py: git has no %s to sign the patches with; set it with\n"
                "    git config --global %s '...'" % (key, key)
            )
        who.append(r.stdout.strip())
    date = run(["git", "log", "-1", "--format=%ad", "--date=raw"], ROOT).strip()
    return who[0], who[1], date


def maintainers_section(upto):
    """The series' MAINTAINERS section after patch `upto`: its files."""
    files = []
    for n, (_, _, changes) in enumerate(SERIES[: upto + 1]):
        for c in changes:
            if type(c) is New:
                d = c.dst
                # A directory where the patch brings all of it.
                for dirname in ("drivers/md/dm-io-rust/tests/", "drivers/md/dm-io-rust/",
                                "drivers/md/dm-rmirror/", "rust/kernel/block/bio/"):
                    if d.startswith(dirname):
                        d = dirname
                        break
                if d.startswith(("drivers/md/", "rust/kernel/device_mapper")) and d not in files:
                    files.append(d)
    if not files:
        return ""
    name, email, _ = identity()
    return MAINTAINERS_HEAD % (name, email) + "".join("F:\t%s\n" % f for f in sorted(files)) + "\n"


def content(path, upto, pristine):
    """The file `path` after patch `upto` (None if it does not exist)."""
    if path == "MAINTAINERS":
        text = pristine[path]
        anchor = "DEVICE-MAPPER VDO TARGET\n"
        assert text.count(anchor) == 1
        return text.replace(anchor, maintainers_section(upto) + anchor)
    text = pristine.get(path)
    for n, (subject, _, changes) in enumerate(SERIES[: upto + 1]):
        for c in changes:
            if c.dst != path:
                continue
            if isinstance(c, (New, Replace)):
                text = c.text()
            elif isinstance(c, Diff):
                text = apply_diff(text, read(c.diff), c.diff)
            elif isinstance(c, Insert):
                if text.count(c.anchor) != 1:
                    sys.exit("%s: anchor %r is not there once" % (path, c.anchor))
                if path == "drivers/md/Makefile" and not c.ins:
                    # The dm-io patch: dm-io.o leaves the list, and comes back
                    # under the option.
                    line = c.anchor.replace(" dm-io.o", "")
                    text = text.replace(c.anchor, line)
                    text = text.replace(
                        "\t\t   dm-rq.o dm-io-rewind.o\n",
                        "\t\t   dm-rq.o dm-io-rewind.o\n" + MAKEFILE_DM_IO,
                    )
                    continue
                new = c.ins + c.anchor if c.before else c.anchor + c.ins
                text = text.replace(c.anchor, new)
    if text is None:
        return None
    for until_subject, file, anchor, ins in UNTIL:
        until = next(i for i, s in enumerate(SERIES) if s[0].startswith(until_subject))
        if file == path and upto < until:
            if text.count(anchor) != 1:
                sys.exit("%s: anchor %r is not there once" % (path, anchor))
            text = text.replace(anchor, ins + anchor)
    for later_subject, file, snippet in LATER:
        later = next(i for i, s in enumerate(SERIES) if s[0].startswith(later_subject))
        if file == path and later > upto:
            if snippet.startswith("\nconfig "):
                # A Kconfig entry: from its `config` line to the next blank.
                start = text.index(snippet)
                end = text.find("\n\n", start + 1)
                text = text[:start] + (text[end:] if end >= 0 else "\n")
                text = text.rstrip("\n") + "\n"
            else:
                if snippet not in text:
                    sys.exit("%s: later lines %r not found" % (path, snippet))
                text = text.replace(snippet, "")
                while "\n\n\n" in text:
                    text = text.replace("\n\n\n", "\n\n")
                text = text.rstrip("\n") + "\n"
    return text


def apply_diff(text, diff, where):
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "file")
        with open(f, "w", encoding="utf-8") as fh:
            fh.write(text)
        r = subprocess.run(["patch", "--quiet", "--no-backup-if-mismatch", f],
                           input=diff, capture_output=True, text=True)
        if r.returncode:
            sys.exit("%s does not apply:\n%s%s" % (where, r.stdout, r.stderr))
        with open(f, encoding="utf-8") as fh:
            return fh.read()


COVER = """\
This series adds dm-io in Rust, and the Rust block-layer and device-mapper
abstractions it and Rust targets build on.

dm-io is the device-mapper I/O service: one request names up to
BITS_PER_LONG regions (block device, sector, count) and one memory source
(a page list, a bio, vmalloc or kmalloc memory), is split into bios, and
completes synchronously, with the regions' error bits, or through a
callback that runs exactly once. dm-raid1, kcopyd, dm-log, snapshots,
dm-integrity, dm-writecache and dm-bufio (so dm-verity and dm-ebs) use it.
With CONFIG_DM_IO_RUST=y, dm-mod links the Rust one in place of dm-io.c,
for all of them.

The order is the one a reviewer needs:

- Patches 1-2 are C fixes for dm-io.c that the Rust work found, for
  dm-devel, independent of the rest: failed reads were not zeroed (blk-mq
  advances bi_iter before the endio runs, so zero_fill_bio() clears
  nothing), and REQ_ALLOC_CACHE passed on to DM_IO_BIO clones oopses in
  bio_put(). Each has its reproducer in its message.
- Patches 3-6 are kernel-crate abstractions: an I/O-accounted completion
  wait, mempools, a GFP_NOIO allocation scope, and bios, bio sets, block
  devices, request flags and plugging, in rust/kernel/block/ beside mq/,
  with the names of the bio work posted for rnull (Bio, Segment) where the
  concepts are the same. Shared, state that in-flight bios share, owns
  their counting and the bi_private encoding; dm-io's policy (regions,
  error bits, what a read owes its memory) stays in the driver.
- Patch 7 starts kernel::device_mapper with page lists, which dm-mod's
  own Rust needs whether it is built in or a module.
- Patch 8 is dm-io in Rust, in drivers/md/dm-io-rust/, and
  CONFIG_DM_IO_RUST (default n). Its logic has no unsafe code; the C entry
  points are the one place that turns C pointers into references.
- Patch 9 is the dm-io API for Rust callers, over dm_io() whichever
  implementation is linked, and CONFIG_RUST_DM_ABSTRACTIONS, which needs
  dm-mod built in because the API calls into it (as
  RUST_PHYLIB_ABSTRACTIONS needs PHYLIB=y). Why the API goes through the C
  function and not straight into patch 8's crate: only the kernel crate is
  shared between Rust crates, and this way the API works with either
  implementation.
- Patch 10 is the KUnit suites, on test disks they make in the kernel, so
  that kunit.py runs them with no user-space set-up:

    tools/testing/kunit/kunit.py run --arch=x86_64 \\
        --kunitconfig=drivers/md/dm-io-rust/tests --make_options LLVM=1

- Patch 11 is the device-mapper target abstractions: a #[vtable] Target
  (hooks not implemented stay NULL), typed per-bio data sized by the
  layer, a MapResult that only the bio of the same call can give,
  resubmission only of a bio restored in end_io, and devices owned by the
  layer, so none can outlive its target.
- Patch 12 is rmirror, a mirror target in Rust on both, as a sample.

What the series was tested with, on x86_64 under QEMU:
- the KUnit suites (kunit.py, and the same suites against the out-of-tree
  module of the project this comes from), under KASAN, lockdep and
  kmemleak as well;
- the kernel's own targets on the Rust dm-io, side by side with the C one
  (mirror with core and disk logs, snapshots and merge, dm-integrity with
  and without a separate metadata device, dm-writecache, dm-verity with a
  corrupted block, dm-ebs, dm-thin zeroing), and cryptsetup's
  integrity-compat-test and verity-compat-test on both, with the same
  results;
- a differential suite that sends random requests through the Rust dm_io()
  and dm-io.c from the same data and compares return values, error bits
  and bytes;
- builds with CONFIG_DM_IO_RUST on and off, BLK_DEV_DM=y and =m, with
  CLIPPY=1 and no warning, rustfmtcheck and rustdoc clean;
- compile-fail tests: misuses of the safe API (a read into memory lent
  only to be read, an end_io that says done for a bio it kept, a device
  of another instance, a raw I/O priority, per-bio data it did not
  declare, a device kept past its target, a mapped bio resubmitted, a
  completion callback that sends from its scope, an owned request that
  borrows, ...) must not build.

checkpatch.pl --strict reports no error, warning or check on any patch.

MAINTAINERS: one new section lists the new files, with dm-devel and
rust-for-linux; the block abstractions also fall under BLOCK LAYER DEVICE
DRIVER API [RUST] by its rust/kernel/block/ pattern.
"""


def generate(src, out):
    name, email, date = identity()
    env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email,
               GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email,
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date,
               GIT_CONFIG_NOSYSTEM="1", HOME=tempfile.gettempdir(), TZ="UTC")
    pristine = {}
    for p in paths():
        f = os.path.join(src, p)
        if os.path.exists(f):
            with open(f, encoding="utf-8") as fh:
                pristine[p] = fh.read()
    with tempfile.TemporaryDirectory() as repo:
        run(["git", "init", "-q", "-b", "series"], repo, env)
        run(["git", "config", "core.autocrlf", "false"], repo, env)
        for p, t in pristine.items():
            os.makedirs(os.path.dirname(os.path.join(repo, p)) or repo, exist_ok=True)
            with open(os.path.join(repo, p), "w", encoding="utf-8") as fh:
                fh.write(t)
        run(["git", "add", "-A"], repo, env)
        run(["git", "commit", "-q", "-m", "base"], repo, env)
        run(["git", "tag", "base"], repo, env)
        for n, (subject, body, _) in enumerate(SERIES):
            for p in paths():
                t = content(p, n, pristine)
                f = os.path.join(repo, p)
                if t is None:
                    if os.path.exists(f):
                        os.remove(f)
                    continue
                os.makedirs(os.path.dirname(f), exist_ok=True)
                with open(f, "w", encoding="utf-8") as fh:
                    fh.write(t)
            run(["git", "add", "-A"], repo, env)
            msg = "%s\n\n%s\n\nSigned-off-by: %s <%s>\n" % (subject, body, name, email)
            run(["git", "commit", "-q", "-F", "-"], repo, env, stdin=msg)
        # At the end every file is what the repository holds.
        for _, _, changes in SERIES:
            for c in changes:
                if isinstance(c, (New, Replace)):
                    with open(os.path.join(repo, c.dst), encoding="utf-8") as fh:
                        if fh.read() != c.text():
                            sys.exit("%s: the last patch does not leave %s" % (c.dst, c.src))
        if os.path.isdir(out):
            shutil.rmtree(out)
        os.makedirs(out)
        run(["git", "format-patch", "-q", "--no-signature", "--cover-letter",
             "--subject-prefix=PATCH", "--no-binary", "-o", out, "base..HEAD"], repo, env)
    cover = sorted(os.listdir(out))[0]
    f = os.path.join(out, cover)
    with open(f, encoding="utf-8") as fh:
        text = fh.read()
    text = text.replace("*** SUBJECT HERE ***", "dm io: dm-io in Rust, and the abstractions under it")
    text = text.replace("*** BLURB HERE ***", COVER.rstrip("\n"))
    with open(f, "w", encoding="utf-8") as fh:
        fh.write(text)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "generate":
        generate(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2 and sys.argv[1] == "files":
        print("\n".join(paths()))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
