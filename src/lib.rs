// SPDX-License-Identifier: GPL-2.0

// The kernel crate as the patch series leaves it, for the out-of-tree
// modules: the modules the series adds to `kernel` (and the one it
// changes) are compiled into each module's own crate, at the same paths
// under `crate::`, next to re-exports of the rest of `kernel`. The files
// are the series' own; only this list is out-of-tree.
//
// Included (`include!`) at the root of each out-of-tree crate: not a crate
// root itself. (Named lib.rs so that rustfmt resolves its modules as rustc
// does through `include!`: from this directory.)

/// `kernel::bindings`, with what the series adds to
/// `rust/bindings/bindings_helper.h` and `rust/helpers/`.
#[allow(
    clippy::all,
    clippy::as_underscore,
    clippy::cast_lossless,
    clippy::ptr_as_ptr,
    clippy::ref_as_ptr,
    clippy::undocumented_unsafe_blocks,
    dead_code,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    improper_ctypes,
    unreachable_pub,
    unsafe_op_in_unsafe_fn
)]
pub mod bindings {
    pub use kernel::bindings::*;
    use kernel::ffi;
    use pin_init::MaybeZeroable;
    include!(concat!(env!("DM_IO_RS_GEN"), "/bindings_generated.rs"));
    include!(concat!(
        env!("DM_IO_RS_GEN"),
        "/bindings_helpers_generated.rs"
    ));

    // The C ABI of `dm_io_rs.ko`: `<linux/dm-io.h>` under an `rdm_` prefix,
    // so that the module and the built-in C dm-io coexist.
    extern "C" {
        #[link_name = "rdm_io_client_create"]
        pub fn dm_io_client_create() -> *mut dm_io_client;
        #[link_name = "rdm_io_client_destroy"]
        pub fn dm_io_client_destroy(client: *mut dm_io_client);
        #[link_name = "rdm_io"]
        pub fn dm_io(
            io_req: *mut dm_io_request,
            num_regions: ffi::c_uint,
            region: *mut dm_io_region,
            sync_error_bits: *mut ffi::c_ulong,
            sync_unsup_bits: *mut ffi::c_ulong,
            ioprio: ffi::c_ushort,
        ) -> ffi::c_int;
    }
}

/// `kernel::alloc`, with the flag the series adds.
pub mod alloc {
    pub use kernel::alloc::*;

    use crate::bindings;
    use core::mem::{size_of, transmute};

    // `Flags` is one `u32`, and its constructor private to `kernel`: both
    // conversions below hold only if that `u32` is its representation,
    // which these checks show for the compiler that builds the module.
    const _: () = assert!(size_of::<Flags>() == size_of::<u32>());
    const _: () = {
        // SAFETY: Same size (checked above); any `Flags` is a valid `u32`.
        let (kernel, atomic) = unsafe {
            (
                transmute::<Flags, u32>(flags::GFP_KERNEL),
                transmute::<Flags, u32>(flags::GFP_ATOMIC),
            )
        };
        assert!(kernel == bindings::GFP_KERNEL && atomic == bindings::GFP_ATOMIC);
    };

    /// `kernel::alloc::flags`.
    pub mod flags {
        pub use kernel::alloc::flags::*;
        use kernel::alloc::Flags;

        /// `GFP_NOIO`.
        // SAFETY: A `Flags` is its `u32` (checked above), and the kernel crate
        // makes its flags from such constants.
        pub const GFP_NOIO: Flags = unsafe { core::mem::transmute(crate::bindings::GFP_NOIO) };
    }

    /// `Flags::as_raw()`, which is private to `kernel`.
    // By value, as `Flags::as_raw()`: `Flags` is `Copy`.
    #[allow(clippy::wrong_self_convention)]
    pub trait FlagsAsRaw {
        /// The `gfp_t` value.
        fn as_raw(self) -> u32;
    }

    impl FlagsAsRaw for Flags {
        fn as_raw(self) -> u32 {
            // SAFETY: A `Flags` is its `u32` (checked above).
            unsafe { transmute::<Flags, u32>(self) }
        }
    }
}

/// `kernel::block`.
pub mod block {
    pub use kernel::block::*;

    pub mod bdev;
    pub mod bio;
    pub mod bio_set;
    pub mod ioprio;
    pub mod opf;
    pub mod plug;
}

#[macro_use]
pub mod device_mapper;
pub mod mempool;

/// `kernel::mm`.
pub mod mm {
    pub use kernel::mm::*;

    pub mod kmem_cache;
    pub mod memalloc;
}

/// `kernel::sync`.
pub mod sync {
    pub use kernel::sync::*;

    #[path = "completion.rs"]
    mod completion_io;
    pub use completion_io::Completion;
}

pub use kernel::{
    bits, build_assert, build_error, error, ffi, impl_flags, page, prelude, str, task, types,
    workqueue, Module, ThisModule,
};
