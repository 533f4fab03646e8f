// SPDX-License-Identifier: GPL-2.0
/*
 * HAVE_PCI_IRQ_INTX: pci_alloc_irq_vectors() calls INTx interrupts
 * PCI_IRQ_INTX since 6.8; PCI_IRQ_LEGACY, the name before, is gone by
 * 6.12.
 */
#include <linux/pci.h>

unsigned int mosaic_probe(void);

unsigned int mosaic_probe(void)
{
	return PCI_IRQ_INTX;
}
