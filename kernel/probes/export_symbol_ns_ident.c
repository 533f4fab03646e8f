// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_EXPORT_SYMBOL_NS_IDENT: EXPORT_SYMBOL_NS_GPL() stringifies a bare
 * identifier as the namespace.  Since 6.13 ("module: Convert symbol
 * namespace to string literal") it takes a string literal, and a bare
 * identifier reaches the assembler unquoted, which refuses it; a string
 * literal would still compile before 6.13, as a namespace whose name has
 * quotes in it, so only this direction can be probed.
 */
#include <linux/export.h>
#include <linux/module.h>

int mosaic_probe_export_ns(void);

int mosaic_probe_export_ns(void)
{
	return 0;
}
EXPORT_SYMBOL_NS_GPL(mosaic_probe_export_ns, MOSAIC);
