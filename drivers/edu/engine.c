// SPDX-License-Identifier: GPL-2.0
/*
 * The edu device's DMA engine: one transfer at a time between its own
 * buffer and RAM, done when the interrupt comes; and a request's pattern
 * moved through it, EDU_STEP bytes at a time, one transfer per
 * device-contiguous run of the target.
 */
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>

#include "edu.h"

static unsigned int timeout_ms = 10000;
module_param(timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms, "How long one DMA transfer may take (default 10000 ms)");

irqreturn_t mosaic_edu_irq(int irq, void *data)
{
	struct mosaic_edu *edu = data;
	u32 status = ioread32(edu->regs + EDU_REG_IRQ_STATUS);

	/* INTx may be shared; ~0 is a device that went away. */
	if (!status || status == ~0U)
		return IRQ_NONE;
	iowrite32(status, edu->regs + EDU_REG_IRQ_ACK);
	if (status & EDU_IRQ_DMA)
		complete(&edu->dma_done);
	return IRQ_HANDLED;
}

/* One transfer of @count bytes; @cmd is 0 (RAM to device) or TO_RAM. */
int mosaic_edu_xfer(struct mosaic_edu *edu, u64 src, u64 dst, u32 count,
		    u32 cmd)
{
	unsigned long left;

	lockdep_assert_held(&edu->lock);
	if (edu->dead)
		return -EIO;
	reinit_completion(&edu->dma_done);
	writeq(src, edu->regs + EDU_REG_DMA_SRC);
	writeq(dst, edu->regs + EDU_REG_DMA_DST);
	writeq(count, edu->regs + EDU_REG_DMA_COUNT);
	writeq(cmd | EDU_DMA_START | EDU_DMA_IRQ, edu->regs + EDU_REG_DMA_CMD);

	left = wait_for_completion_timeout(&edu->dma_done,
					   msecs_to_jiffies(timeout_ms));
	if (left)
		return 0;
	if (!(readq(edu->regs + EDU_REG_DMA_CMD) & EDU_DMA_START)) {
		dev_warn_once(&edu->pdev->dev, "DMA done without an interrupt\n");
		return 0;
	}
	/* It may still write anywhere it was told to: never use it again. */
	edu->dead = true;
	dev_err(&edu->pdev->dev,
		"DMA of %u bytes did not finish in %u ms; device disabled\n",
		count, timeout_ms);
	return -ETIMEDOUT;
}

/*
 * Device address of byte @off of @t and how many bytes from there are
 * contiguous for the device. For a mosaic buffer that is exactly what
 * mosaic_buf_dma_range() answers; for an imported dma-buf it is the
 * mapped scatterlist entry that holds the byte.
 */
int mosaic_edu_target_dma(const struct mosaic_edu_target *t, u64 off,
			  dma_addr_t *dma, u64 *len)
{
	struct scatterlist *sg;
	u64 start = 0;
	unsigned int i;

	if (t->buf) {
		size_t run;
		int ret = mosaic_buf_dma_range(t->buf, off, dma, &run);

		*len = run;
		return ret;
	}
	for_each_sgtable_dma_sg(t->sgt, sg, i) {
		if (off < start + sg_dma_len(sg)) {
			*dma = sg_dma_address(sg) + (off - start);
			*len = start + sg_dma_len(sg) - off;
			return 0;
		}
		start += sg_dma_len(sg);
	}
	return -EINVAL;
}

/*
 * Move @step bytes between the device buffer and @t at @off, one transfer
 * per device-contiguous run: a transfer never crosses a place where the
 * buffer's device addresses jump.
 */
static int mosaic_edu_runs(struct mosaic_edu *edu,
			   const struct mosaic_edu_target *t, u64 off,
			   u32 step, bool to_ram, struct mosaic_edu_dma *d)
{
	u32 pos, len;
	int ret;

	for (pos = 0; pos < step; pos += len) {
		dma_addr_t dma;
		u64 run;

		ret = mosaic_edu_target_dma(t, off + pos, &dma, &run);
		if (ret)
			return ret;
		len = min_t(u64, run, step - pos);
		if (to_ram)
			ret = mosaic_edu_xfer(edu, EDU_BUF_ADDR + pos, dma, len,
					      EDU_DMA_TO_RAM);
		else
			ret = mosaic_edu_xfer(edu, dma, EDU_BUF_ADDR + pos, len,
					      0);
		if (ret)
			return ret;
		d->nr_transfers++;
	}
	return 0;
}

/* The pattern goes bounce page -> device -> @t. */
static int mosaic_edu_step_to_ram(struct mosaic_edu *edu,
				  const struct mosaic_edu_target *t, u64 off,
				  u32 step, struct mosaic_edu_dma *d)
{
	u64 *word = edu->bounce;
	u32 i;
	int ret;

	for (i = 0; i < step / sizeof(u64); i++)
		word[i] = mosaic_pattern_word(d->seed, off + i * sizeof(u64));
	ret = mosaic_edu_xfer(edu, edu->bounce_dma, EDU_BUF_ADDR, step, 0);
	if (ret)
		return ret;
	return mosaic_edu_runs(edu, t, off, step, true, d);
}

/* @t -> device -> bounce page, where the CPU checks the pattern. */
static int mosaic_edu_step_from_ram(struct mosaic_edu *edu,
				    const struct mosaic_edu_target *t, u64 off,
				    u32 step, struct mosaic_edu_dma *d)
{
	const u64 *word = edu->bounce;
	u32 i;
	int ret;

	/* Stale bounce contents must not pass for what the device read. */
	memset(edu->bounce, 0, step);
	ret = mosaic_edu_runs(edu, t, off, step, false, d);
	if (ret)
		return ret;
	ret = mosaic_edu_xfer(edu, EDU_BUF_ADDR, edu->bounce_dma, step,
			      EDU_DMA_TO_RAM);
	if (ret)
		return ret;
	for (i = 0; i < step / sizeof(u64); i++) {
		u64 o = off + i * sizeof(u64);

		if (word[i] == mosaic_pattern_word(d->seed, o))
			continue;
		if (!d->mismatches)
			d->first_mismatch = o;
		d->mismatches++;
	}
	return 0;
}

/* The whole request, EDU_STEP bytes at a time. */
int mosaic_edu_run(struct mosaic_edu *edu, const struct mosaic_edu_target *t,
		   struct mosaic_edu_dma *d)
{
	u64 done;
	u32 step;
	int ret;

	ret = mutex_lock_killable(&edu->lock);
	if (ret)
		return ret;
	for (done = 0; done < d->length; done += step) {
		step = min_t(u64, d->length - done, EDU_STEP);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (d->direction == MOSAIC_EDU_TO_RAM)
			ret = mosaic_edu_step_to_ram(edu, t, d->offset + done,
						     step, d);
		else
			ret = mosaic_edu_step_from_ram(edu, t,
						       d->offset + done, step,
						       d);
		if (ret)
			break;
	}
	mutex_unlock(&edu->lock);
	return ret;
}
