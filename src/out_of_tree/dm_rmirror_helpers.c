// SPDX-License-Identifier: GPL-2.0
/* The rust/helpers/ additions of the series, compiled into dm_rmirror.ko. */
#include "helpers.c"
