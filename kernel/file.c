// SPDX-License-Identifier: GPL-2.0
/*
 * Buffer files: the file operations of a buffer fd, the pseudo filesystem
 * the files live on, and installing a new fd.
 *
 * Every file of a buffer shares the buffer's one inode, whose size is the
 * buffer's, so that one unmap_mapping_range() reaches all their mappings
 * (revoke.c) and the core maps huge pages up to the buffer's end. A file
 * holds one buffer reference, dropped by its ->release; mapping it goes
 * through mosaic_buf_mmap() (buffer.c) and its ioctls through
 * mosaic_buf_ioctl() (ioctl.c).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>

#include "compat.h"
#include "mosaic_internal.h"

static int mosaic_buf_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	return mosaic_buf_mmap(file->private_data, vma);
}

static int mosaic_buf_file_release(struct inode *inode, struct file *file)
{
	mosaic_buf_put(file->private_data);
	return 0;
}

static long mosaic_buf_file_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	return mosaic_buf_ioctl(file->private_data, cmd, (void __user *)arg);
}

static const struct file_operations mosaic_buf_fops = {
	.owner = THIS_MODULE,
	.mmap = mosaic_buf_file_mmap,
	.release = mosaic_buf_file_release,
	.unlocked_ioctl = mosaic_buf_file_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Strategy huge: a mapping without an address hint starts at an address
 * congruent to its buffer offset modulo 2 MiB, so that every aligned block
 * can get a PMD. The kernel's helper for file THPs does exactly that
 * (before 5.18 only for DAX files, which compat.h makes up for). Without
 * THP there are no PMD mappings to align for: the default allocator.
 */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
/**
 * mosaic_buf_get_unmapped_area() - ->get_unmapped_area for huge buffer files
 * @file: the file being mapped
 * @addr: the caller's address hint, 0 for none
 * @len: bytes
 * @pgoff: page offset into the buffer
 * @flags: mmap flags
 *
 * For a driver's buffer fd (mosaic_buf_file()) that may map a buffer of
 * strategy huge: without a hint, the mapping starts where every 2 MiB
 * block of the buffer can get a PMD. Without CONFIG_TRANSPARENT_HUGEPAGE
 * it is NULL, the default allocator.
 *
 * Return: the address, or -errno.
 */
unsigned long mosaic_buf_get_unmapped_area(struct file *file,
					   unsigned long addr,
					   unsigned long len,
					   unsigned long pgoff,
					   unsigned long flags)
{
	unsigned long ret = thp_get_unmapped_area(file, addr, len, pgoff,
						  flags);

	return mosaic_thp_align_area(ret, file, addr, len, pgoff, flags);
}
EXPORT_SYMBOL_MOSAIC(mosaic_buf_get_unmapped_area);
#endif

static const struct file_operations mosaic_buf_huge_fops = {
	.owner = THIS_MODULE,
	.mmap = mosaic_buf_file_mmap,
	.get_unmapped_area = mosaic_buf_get_unmapped_area,
	.release = mosaic_buf_file_release,
	.unlocked_ioctl = mosaic_buf_file_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Buffer files live on a pseudo filesystem of the module's own, one inode
 * per buffer with the buffer's size, as dma-buf does. When the buffer's
 * device goes away, revoke.c zaps every mapping through that inode. The core reads the
 * mapped file's size: since 6.12.y ("mm/memory: do not populate page table
 * entries beyond i_size") finish_fault() maps no PMD past it, and the one
 * inode that anon_inode_getfile() shares among all its files has size 0.
 * The filesystem has no owner: a mount would pin the module for good. The
 * files pin it instead (mosaic_buf_file()).
 */
#define MOSAIC_FS_MAGIC	0x6d736963	/* "msic" */

static struct vfsmount *mosaic_buf_mnt;

/* What /proc/PID/maps and /proc/PID/fd show: mosaic:[inode number]. */
static char *mosaic_buf_dname(struct dentry *dentry, char *buffer, int buflen)
{
	char name[32];
	int len;

	/* i_ino: unsigned long on 6.12, u64 on 7.2. */
	len = snprintf(name, sizeof(name), "mosaic:[%llu]",
		       (unsigned long long)d_inode(dentry)->i_ino) + 1;
	if (len > buflen)
		return ERR_PTR(-ENAMETOOLONG);
	return memcpy(buffer + buflen - len, name, len);
}

static const struct dentry_operations mosaic_buf_dentry_ops = {
	.d_dname = mosaic_buf_dname,
};

static int mosaic_buf_fs_init_context(struct fs_context *fc)
{
	struct pseudo_fs_context *ctx = init_pseudo(fc, MOSAIC_FS_MAGIC);

	if (!ctx)
		return -ENOMEM;
	ctx->dops = &mosaic_buf_dentry_ops;
	return 0;
}

static struct file_system_type mosaic_buf_fs_type = {
	.name = "mosaic",
	.init_fs_context = mosaic_buf_fs_init_context,
	.kill_sb = kill_anon_super,
};

/**
 * mosaic_buf_fs_init() - mount the filesystem buffer files live on
 *
 * Return: 0 or -errno.
 */
int mosaic_buf_fs_init(void)
{
	mosaic_buf_mnt = kern_mount(&mosaic_buf_fs_type);
	return PTR_ERR_OR_ZERO(mosaic_buf_mnt);
}

/**
 * mosaic_buf_fs_exit() - unmount it; no buffer file is left by then
 */
void mosaic_buf_fs_exit(void)
{
	kern_unmount(mosaic_buf_mnt);
}

/*
 * The buffer's inode, created with its first file, with a reference for
 * the caller. All its files share it, and with it one address_space.
 */
static struct inode *mosaic_buf_inode(struct mosaic_buf *buf)
{
	struct inode *inode;

	mutex_lock(&buf->lock);
	if (!buf->inode) {
		inode = alloc_anon_inode(mosaic_buf_mnt->mnt_sb);
		if (IS_ERR(inode))
			goto out;
		inode->i_size = buf->size;
		buf->inode = inode;
	}
	inode = buf->inode;
	ihold(inode);
out:
	mutex_unlock(&buf->lock);
	return inode;
}

/**
 * mosaic_buf_file() - a file for a buffer fd of a driver's own
 * @buf: the buffer the file stands for; the file's size is its size
 * @fops: the file's operations, whose owner the file pins
 * @priv: the file's private_data
 *
 * What anon_inode_getfile() gives, but on the buffer's own inode, whose
 * size is the buffer's, the way mosaic's own buffer fds are made. Since
 * 6.12.y the core maps no PMD past a file's i_size, so strategy huge
 * mapped from the one inode all anon files share (size 0) gets PTEs only.
 * The file takes no buffer reference: @fops->release drops whatever the
 * driver holds. It is read-only if @buf is. The file's release drops the
 * module reference taken here, as for any file whose fops have an owner.
 *
 * Return: the file, or an ERR_PTR(): -ENOENT if @fops' owner is going
 * away, -ENOMEM.
 */
struct file *mosaic_buf_file(struct mosaic_buf *buf,
			     const struct file_operations *fops, void *priv)
{
	struct inode *inode;
	struct file *file;

	if (!try_module_get(fops->owner))
		return ERR_PTR(-ENOENT);
	inode = mosaic_buf_inode(buf);
	if (IS_ERR(inode)) {
		file = ERR_CAST(inode);
		goto err_put_module;
	}
	file = alloc_file_pseudo(inode, mosaic_buf_mnt, "mosaic",
				 buf->read_only ? O_RDONLY : O_RDWR, fops);
	if (IS_ERR(file))
		goto err_iput;
	file->private_data = priv;
	return file;

err_iput:
	iput(inode);
err_put_module:
	module_put(fops->owner);
	return file;
}
EXPORT_SYMBOL_MOSAIC(mosaic_buf_file);

/**
 * mosaic_buf_install_fd() - give @buf a new O_CLOEXEC buffer fd
 * @buf: the buffer; its caller's reference moves to the fd on success
 * @ufd: where user space wants the fd number
 *
 * The fd goes live only after its number reached user space, so a failed
 * copy leaves nothing behind: no fd, no buffer.
 *
 * Return: the fd, or -errno. On failure @buf's reference has been dropped.
 */
int mosaic_buf_install_fd(struct mosaic_buf *buf, __s32 __user *ufd)
{
	struct file *file;
	int fd, ret;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_put_buf;
	}

	/*
	 * A read-only buffer gets a read-only fd: the core then refuses
	 * MAP_SHARED with PROT_WRITE itself (mosaic_buf_mmap() checks too).
	 */
	file = mosaic_buf_file(buf, buf->strategy_id == MOSAIC_STRATEGY_HUGE ?
			       &mosaic_buf_huge_fops : &mosaic_buf_fops, buf);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put_fd;
	}
	if (put_user(fd, ufd)) {
		/* The file owns the buffer's reference now; fput drops it. */
		fput(file);
		put_unused_fd(fd);
		return -EFAULT;
	}
	fd_install(fd, file);
	return fd;

err_put_fd:
	put_unused_fd(fd);
err_put_buf:
	mosaic_buf_put(buf);
	return ret;
}
