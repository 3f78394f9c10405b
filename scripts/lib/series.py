#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The patch series for Linux, made from this repository's files.

    series.py generate SOURCE_TREE OUT_DIR

writes two series as `git format-patch` does, each with its cover letter,
against the files of SOURCE_TREE that they touch (a kernel tree of the
version the project builds): OUT_DIR/1-fixes/, the dm-io.c fixes for
dm-devel, and OUT_DIR/2-rust/, the Rust series (RFC), which applies on top
of the fixes or without them. The same commit of this repository always
gives the same bytes: dates and names come from its HEAD commit.

    series.py files

prints the kernel paths that the series changes or adds, one per line.

Where a file goes, and which patch brings it, is the table below; each
patch's message, and the cover letter, is a file of series/ (the subject,
a blank line, the body), which this script only assembles. The
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

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

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

# The two series, each sent on its own: the dm-io.c fixes for dm-devel,
# then the Rust series (an RFC), which applies on top of them or without
# them. Per series: its directory under OUT_DIR and series/, the subject
# prefix, and the patches in order: each one's message (series/DIR/KEY.txt:
# the subject, a blank line, the body) and what it changes.
_FIXES = [
    (
        "01-dm-io-zero-fill-failed-reads",
        [Diff("drivers/md/dm-io.c", "src/dm-io-c/zero-fill-failed-reads.diff")],
    ),
    (
        "02-dm-io-zero-fill-failed-dm-io-bio-reads",
        [Diff("drivers/md/dm-io.c", "src/dm-io-c/zero-fill-failed-bio-reads.diff")],
    ),
    (
        "03-dm-io-keep-req-alloc-cache-off-dm-io-bio-clones",
        [Diff("drivers/md/dm-io.c", "src/dm-io-c/alloc-cache-clones.diff")],
    ),
]

_RUST = [
    (
        "01-rust-sync-completion-add-wait-for-completion-io",
        [Replace("rust/kernel/sync/completion.rs", "src/sync/completion.rs")],
    ),
    (
        "02-rust-add-a-mempool-abstraction",
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
        "03-rust-mm-add-memalloc-noio-scope",
        [
            New("rust/kernel/mm/memalloc.rs", "src/mm/memalloc.rs"),
            Replace("rust/helpers/mm.c", "src/helpers/mm.c"),
            Insert("rust/kernel/mm.rs", "pub mod virt;\n", "pub mod memalloc;\n", before=True),
        ],
    ),
    (
        "04-rust-block-add-block-device-request-flag-and-plug",
        [
            New("rust/kernel/block/bdev.rs", "src/block/bdev.rs"),
            New("rust/kernel/block/ioprio.rs", "src/block/ioprio.rs"),
            New("rust/kernel/block/opf.rs", "src/block/opf.rs"),
            New("rust/kernel/block/plug.rs", "src/block/plug.rs"),
            Replace("rust/helpers/blk.c", "src/helpers/blk.c"),
            Insert("rust/kernel/block.rs", "pub mod mq;\n", "pub mod bdev;\npub mod ioprio;\n", before=True),
            Insert("rust/kernel/block.rs", "pub mod mq;\n", "pub mod opf;\npub mod plug;\n"),
        ],
    ),
    (
        "05-rust-block-add-bio-and-bio-set-abstractions",
        [
            New("rust/kernel/block/bio.rs", "src/block/bio.rs"),
            New("rust/kernel/block/bio/front_pad.rs", "src/block/bio/front_pad.rs"),
            New("rust/kernel/block/bio/kernel_buf.rs", "src/block/bio/kernel_buf.rs"),
            New("rust/kernel/block/bio/vec.rs", "src/block/bio/vec.rs"),
            New("rust/kernel/block/bio_set.rs", "src/block/bio_set.rs"),
            Replace("rust/helpers/page.c", "src/helpers/page.c"),
            Replace("rust/helpers/dma.c", "src/helpers/dma.c"),
            Replace("rust/helpers/task.c", "src/helpers/task.c"),
            Replace("rust/helpers/vmalloc.c", "src/helpers/vmalloc.c"),
            Insert("rust/kernel/block.rs", "pub mod ioprio;\n", "pub mod bio;\npub mod bio_set;\n", before=True),
        ],
    ),
    (
        "06-rust-block-add-state-shared-by-the-bios-of-one-i-o",
        [
            New("rust/kernel/block/bio/shared.rs", "src/block/bio/shared.rs"),
            New("rust/kernel/block/bio/shared/host.rs", "src/block/bio/shared/host.rs"),
            New("rust/kernel/block/bio/shared/pool.rs", "src/block/bio/shared/pool.rs"),
            New("rust/kernel/block/bio/shared/stack.rs", "src/block/bio/shared/stack.rs"),
        ],
    ),
    (
        "07-rust-device-mapper-add-page-lists-and-regions",
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
        "08-dm-io-add-a-rust-implementation",
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
        "09-rust-device-mapper-add-the-dm-io-client-api",
        [
            New("rust/kernel/device_mapper/io.rs", "src/device_mapper/io.rs"),
            Insert("drivers/md/Kconfig", "config DM_DEBUG\n", RUST_DM_ABSTRACTIONS, before=True),
        ],
    ),
    (
        "10-dm-io-add-kunit-tests",
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
        "11-rust-device-mapper-add-target-abstractions",
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
        "12-dm-add-rmirror-a-mirror-target-in-rust",
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


def message(key):
    """The subject and body of series/KEY.txt."""
    text = read(os.path.join("series", key + ".txt")).rstrip("\n")
    subject, _, body = text.partition("\n\n")
    return subject, body


# (directory, subject prefix, patches).
SERIES_SETS = [
    ("fixes", "PATCH", _FIXES),
    ("rust", "RFC PATCH", _RUST),
]
# Every patch of both, in the order they apply: (subject, body, changes).
SERIES = [message(d + "/" + key) + (changes,) for d, _, patches in SERIES_SETS for key, changes in patches]

# Lines of a file that a later patch than the file's first brings:
# (patch subject prefix, file, text).
LATER = [
    ("rust: block: add state shared", "rust/kernel/block/bio.rs", "pub mod shared;\n"),
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
UNTIL = [
    ("rust: block: add bio and bio set", "rust/kernel/block/opf.rs", anchor,
     "    #[expect(dead_code)]\n")
    for anchor in (
        "    pub(crate) const fn as_raw(self) -> bindings::blk_opf_t {",
        "    pub(crate) const fn is_known_op(self) -> bool {",
        "    pub(crate) const fn flags_fit_op(self) -> bool {",
        "    pub(crate) fn for_new_bio(self) -> Self {",
    )
] + [
    # Its first user is the shared state of the next patch.
    ("rust: block: add state shared", "rust/kernel/block/bio.rs",
     "    pub(crate) fn as_raw(&self) -> NonNull<bindings::bio> {", "    #[expect(dead_code)]\n"),
]

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
                # A Kconfig entry: from its `config` line to the next line
                # that is not indented (its help text has blank lines).
                start = text.index(snippet)
                end = re.compile(r"\n(?=\S)").search(text, start + len(snippet))
                text = text[:start] + (text[end.start():] if end else "\n")
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
        tags = []
        for d, _, patches in SERIES_SETS:
            tags.append((d, len(patches)))
        ends = {}
        n_end = 0
        for d, count in tags:
            n_end += count
            ends[n_end - 1] = d
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
            # Signed-off-by joins the body's own trailers (Cc: ...), if any.
            last = body.rsplit("\n", 1)[-1]
            sep = "\n" if re.match(r"[A-Za-z-]+: \S", last) else "\n\n"
            msg = "%s\n\n%s%sSigned-off-by: %s <%s>\n" % (subject, body, sep, name, email)
            run(["git", "commit", "-q", "-F", "-"], repo, env, stdin=msg)
            if n in ends:
                run(["git", "tag", ends[n]], repo, env)
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
        since = "base"
        for i, (d, prefix, _) in enumerate(SERIES_SETS):
            where = os.path.join(out, "%d-%s" % (i + 1, d))
            run(["git", "format-patch", "-q", "--no-signature", "--cover-letter",
                 "--subject-prefix=" + prefix, "--no-binary", "-o", where,
                 "%s..%s" % (since, d)], repo, env)
            since = d
            cover = os.path.join(where, sorted(os.listdir(where))[0])
            with open(cover, encoding="utf-8") as fh:
                text = fh.read()
            subject, blurb = message(d + "/00-cover-letter")
            text = text.replace("*** SUBJECT HERE ***", subject)
            text = text.replace("*** BLURB HERE ***", blurb)
            with open(cover, "w", encoding="utf-8") as fh:
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
