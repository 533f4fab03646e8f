// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_MODULE_IMPORT_NS_IDENT: MODULE_IMPORT_NS() stringifies a bare
 * identifier.  Since 6.13 ("module: Convert symbol namespace to string
 * literal") it takes a string literal, and a bare identifier no longer
 * compiles; a string literal would still compile before 6.13, as a wrong
 * namespace name, so only this direction can be probed.
 */
#include <linux/module.h>

MODULE_IMPORT_NS(DMA_BUF);
