// SPDX-License-Identifier: GPL-2.0
/*
 * How a buffer meets the DMA layer: the streaming mapping of page-backed
 * memory for the buffer's device, and the page protection of DMA-layer
 * memory in a user mapping.
 *
 * Backends that allocate through the DMA API (coherent, noncontig, cma)
 * come with DMA addresses. Page-backed buffers that have a device get a
 * streaming mapping here, one scatterlist entry per segment or less, and
 * dmabuf.c maps the same scatterlists for importing devices. Either way
 * the device ranges (dev_ranges.c) record what the device sees.
 *
 * Below the buffer object: this file knows the segment table and the
 * device ranges, and the buffer's creation, release and mmap call it.
 */
#include <linux/dma-direct.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "compat.h"
#include "mosaic_internal.h"

/*
 * Whether the DMA layer handed out @dev's coherent, noncontig and cma
 * memory decrypted (shared with the hypervisor, or with a device that
 * cannot address encrypted memory).
 *
 * dma-direct decrypts exactly when force_dma_unencrypted(dev) holds:
 * dma_direct_alloc() and dma_direct_alloc_pages() (behind
 * dma_alloc_pages() and, without an IOMMU, dma_alloc_noncontiguous())
 * call set_memory_decrypted() on the pages, and dma_direct_mmap() then
 * maps them with pgprot_decrypted(). dma-iommu and the other dma_map_ops
 * allocate ordinary pages and never decrypt them.
 *
 * force_dma_unencrypted() is not exported, so its rule is repeated here:
 *  - x86: every SEV or TDX guest (CC_ATTR_GUEST_MEM_ENCRYPT); on an SME
 *    host (CC_ATTR_HOST_MEM_ENCRYPT), a device whose coherent mask (or bus
 *    limit) cannot reach the encryption bit, sme_me_mask.
 *  - arm64: a realm (is_realm_world()); the function is inline there, so
 *    it is called, and is the generic "false" on kernels without realms.
 *  - elsewhere pgprot_decrypted() changes nothing, so the answer is false.
 *
 * Like dma_direct_mmap(), this asks at mmap time, not at allocation: a
 * driver that changes the coherent mask of a device with live buffers
 * could make the two differ. A device whose dma_map_ops bypass
 * themselves (CONFIG_DMA_OPS_BYPASS) counts as not direct; only powerpc
 * has those, where the answer does not matter.
 */
static bool mosaic_dma_decrypted(struct device *dev)
{
	if (mosaic_use_dma_iommu(dev) || get_dma_ops(dev))
		return false;
#if defined(CONFIG_X86) && defined(CONFIG_ARCH_HAS_FORCE_DMA_UNENCRYPTED)
	if (mosaic_cc_guest_mem_encrypt())
		return true;
	if (mosaic_cc_host_mem_encrypt()) {
		u64 enc_mask = DMA_BIT_MASK(__ffs64(sme_me_mask));
		u64 dev_mask = min_not_zero(dev->coherent_dma_mask,
					    dev->bus_dma_limit);

		return dev_mask <= enc_mask;
	}
	return false;
#elif defined(CONFIG_ARM64)
	return force_dma_unencrypted(dev);
#else
	return false;
#endif
}

/**
 * mosaic_dma_pgprot() - protection of a user mapping of DMA-layer memory
 * @dev: the device the memory was allocated for
 * @prot: the VMA's protection
 *
 * For the memory of dma_alloc_coherent(), dma_alloc_noncontiguous() and
 * dma_alloc_pages(): what dma_direct_mmap() and iommu_dma_mmap() give
 * (dma_pgprot(), which only changes the caching of a non-coherent
 * device's memory, and pgprot_decrypted() for memory the DMA layer
 * decrypted, mosaic_dma_decrypted()). The kernel's dma_mmap_pages() and,
 * without an IOMMU, dma_mmap_noncontiguous() leave out the decryption;
 * mosaic does not, since the pages are decrypted all the same.
 *
 * Return: the protection to map with.
 */
pgprot_t mosaic_dma_pgprot(struct device *dev, pgprot_t prot)
{
	if (!dev_is_dma_coherent(dev))
		prot = pgprot_dmacoherent(prot);
	if (mosaic_dma_decrypted(dev))
		prot = pgprot_decrypted(prot);
	return prot;
}

/* How many entries of at most @max_seg bytes a piece splits into. */
static unsigned int mosaic_piece_nents(u64 length, u64 max_seg)
{
	return DIV_ROUND_UP_ULL(length, max_seg);
}

/*
 * The longest scatterlist entry @dev can take: its segment limit, and
 * what the DMA layer maps in one piece (256 KiB when swiotlb bounces).
 */
static u64 mosaic_max_entry(struct device *dev)
{
	u64 max = min_t(u64, dma_get_max_seg_size(dev),
			dma_max_mapping_size(dev));

	return max_t(u64, rounddown(max, PAGE_SIZE), PAGE_SIZE);
}

/**
 * mosaic_buf_build_sgt() - a scatterlist of a byte range of a buffer
 * @buf: the buffer; every page of the range must have a &struct page
 * @offset: first byte, page aligned
 * @length: bytes, page aligned, inside the buffer
 * @dev: the device the table will be mapped for
 *
 * One entry per piece of a segment inside the range, split further so
 * that no entry is longer than @dev accepts in one DMA segment
 * (dma_get_max_seg_size(); 64 KiB for a PCI device that does not say) or
 * than the DMA layer maps at once (dma_max_mapping_size(); swiotlb).
 *
 * Return: the table, not yet mapped, or an ERR_PTR.
 */
struct sg_table *mosaic_buf_build_sgt(const struct mosaic_buf *buf,
				      u64 offset, u64 length,
				      struct device *dev)
{
	u64 max_seg = mosaic_max_entry(dev);
	u64 pos, chunk, end = offset + length;
	struct scatterlist *sg;
	struct mosaic_piece p;
	struct sg_table *sgt;
	unsigned int nents = 0;
	int ret;

	for (pos = offset; mosaic_buf_piece(buf, pos, end, &p); pos += p.length)
		nents += mosaic_piece_nents(p.length, max_seg);

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table(sgt, nents, GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (ret) {
		kfree(sgt);
		return ERR_PTR(ret);
	}
	sg = sgt->sgl;
	for (pos = offset; mosaic_buf_piece(buf, pos, end, &p); pos += p.length) {
		for (chunk = 0; chunk < p.length; chunk += max_seg) {
			sg_set_page(sg, pfn_to_page(p.seg.pfn +
						    ((p.seg_offset + chunk) >>
						     PAGE_SHIFT)),
				    min_t(u64, max_seg, p.length - chunk), 0);
			sg = sg_next(sg);
		}
	}
	return sgt;
}

/**
 * mosaic_buf_free_sgt() - free a table from mosaic_buf_build_sgt()
 * @sgt: the table, unmapped
 */
void mosaic_buf_free_sgt(struct sg_table *sgt)
{
	sg_free_table(sgt);
	kfree(sgt);
}

/**
 * mosaic_buf_dma_map() - map a page-backed buffer for its device
 * @buf: buffer with @buf->dev set and no DMA addresses yet
 *
 * Return: 0 or -errno; on error nothing stays mapped.
 */
int mosaic_buf_dma_map(struct mosaic_buf *buf)
{
	struct sg_table *sgt;
	int ret;

	sgt = mosaic_buf_build_sgt(buf, 0, buf->size, buf->dev);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);

	ret = dma_map_sgtable(buf->dev, sgt, DMA_BIDIRECTIONAL, 0);
	if (ret)
		goto err_free_sgt;
	ret = mosaic_buf_add_dev_ranges_sgt(buf, sgt);
	if (ret)
		goto err_unmap;
	buf->sgt = sgt;
	return 0;

err_unmap:
	mosaic_buf_free_dev_ranges(buf);
	dma_unmap_sgtable(buf->dev, sgt, DMA_BIDIRECTIONAL, 0);
err_free_sgt:
	mosaic_buf_free_sgt(sgt);
	return ret;
}

/**
 * mosaic_buf_dma_unmap() - undo mosaic_buf_dma_map(), if it was done
 * @buf: the buffer
 *
 * Without the unmap's own sync for the CPU: the buffer is either being
 * freed, or its device went away while user space keeps the pages. Then
 * what the CPU wrote must stay, and a bounce buffer's copy (the device's
 * view as of the last sync) must not be copied over it; the device's
 * writes since the last SYNC BEGIN are lost with the device.
 */
void mosaic_buf_dma_unmap(struct mosaic_buf *buf)
{
	if (!buf->sgt)
		return;
	mosaic_buf_free_dev_ranges(buf);
	dma_unmap_sgtable(buf->dev, buf->sgt, DMA_BIDIRECTIONAL,
			  DMA_ATTR_SKIP_CPU_SYNC);
	mosaic_buf_free_sgt(buf->sgt);
	buf->sgt = NULL;
}
