// SPDX-License-Identifier: GPL-2.0
/* The rust/helpers/ additions of the series, compiled into dm_io_rust_kunit.ko. */
#include "helpers.c"
