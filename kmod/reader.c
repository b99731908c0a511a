// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ctrace as a session's reader: ATTACH, then mmap the rings and poll.
 *
 * The file is mode 0666; ATTACH checks that the caller owns the session
 * (or has CAP_PERFMON), and only one file may be attached to a session.
 * Closing the attached file destroys the session, as closing its netlink
 * socket does, so a killed reader leaks nothing.  Its mappings keep the
 * file, and so the session's memory, alive until they are unmapped.
 *
 * Mapping: the read-only region (meta area, then each ring's page and
 * data) may be mapped in any page-aligned part, never writable; the
 * consumer region only whole and MAP_SHARED.  Pages are supplied at fault
 * time from the session's vmalloc areas.
 *
 *   [R2] smp_mb() in poll() pairs with [K2] in ring.c.
 */
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "ctrace.h"

struct ctrace_file {
	struct ctrace_session *sess;	/* set once, by ATTACH */
};

static int ctrace_dev_open(struct inode *inode, struct file *file)
{
	struct ctrace_file *f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);

	if (!f)
		return -ENOMEM;
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int ctrace_dev_release(struct inode *inode, struct file *file)
{
	struct ctrace_file *f = file->private_data;
	struct ctrace_session *s = f->sess;

	if (s) {
		mutex_lock(&ctrace_lock);
		if (s->reader == file)
			s->reader = NULL;
		mutex_unlock(&ctrace_lock);
		ctrace_session_destroy(s);
		ctrace_session_put(s);
	}
	kfree(f);
	return 0;
}

static long ctrace_ioc_attach(struct file *file,
			      struct ctrace_attach __user *uarg)
{
	struct ctrace_file *f = file->private_data;
	struct ctrace_session *s;
	struct ctrace_attach ka;
	u32 usize;
	int err;

	if (get_user(usize, &uarg->size))
		return -EFAULT;
	if (usize < CTRACE_ATTACH_SIZE_VER0 || usize > PAGE_SIZE)
		return -EINVAL;
	/* A newer, larger struct is fine as long as what we don't know is 0. */
	err = copy_struct_from_user(&ka, sizeof(ka), uarg, usize);
	if (err)
		return err;
	if (ka.flags || ka.reserved || ka.meta_size)
		return -EINVAL;

	mutex_lock(&ctrace_lock);
	if (f->sess) {
		err = -EBUSY;	/* this file already reads a session */
		goto out;
	}
	s = ctrace_session_find_locked(ka.session_id);
	if (IS_ERR(s)) {
		err = PTR_ERR(s);
		goto out;
	}
	if (s->reader) {
		err = -EBUSY;	/* another file reads it */
		goto out;
	}
	kref_get(&s->ref);
	s->reader = file;
	WRITE_ONCE(f->sess, s);
	ka.meta_size = s->meta_pages << PAGE_SHIFT;
	err = 0;
out:
	mutex_unlock(&ctrace_lock);
	if (!err && put_user(ka.meta_size, &uarg->meta_size))
		err = -EFAULT;
	return err;
}

static long ctrace_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	switch (cmd) {
	case CTRACE_IOC_ATTACH:
		return ctrace_ioc_attach(file, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static vm_fault_t ctrace_vm_fault(struct vm_fault *vmf)
{
	struct ctrace_session *s = vmf->vma->vm_private_data;
	struct page *page = ctrace_session_page(s, vmf->pgoff);

	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct ctrace_vm_ops = {
	.fault = ctrace_vm_fault,
};

static int ctrace_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ctrace_file *f = file->private_data;
	struct ctrace_session *s = READ_ONCE(f->sess);
	unsigned long pgoff = vma->vm_pgoff, pages = vma_pages(vma);
	unsigned long ro_pages, cons_pgoff;

	if (!s)
		return -EINVAL;		/* not attached */
	ro_pages = s->meta_pages + s->nr_rings * s->ring_pages;
	cons_pgoff = ro_pages;
	if (pgoff < ro_pages && pages <= ro_pages - pgoff) {
		if (vma->vm_flags & (VM_WRITE | VM_EXEC))
			return -EPERM;	/* the rings are read-only */
		vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);
	} else if (pgoff == cons_pgoff && pages == s->cons_pages) {
		if (!(vma->vm_flags & VM_SHARED))
			return -EINVAL;	/* a private copy would tell us nothing */
		if (vma->vm_flags & VM_EXEC)
			return -EPERM;
		vm_flags_clear(vma, VM_MAYEXEC);
	} else {
		return -EINVAL;
	}
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &ctrace_vm_ops;
	vma->vm_private_data = s;
	return 0;
}

static __poll_t ctrace_dev_poll(struct file *file, poll_table *wait)
{
	struct ctrace_file *f = file->private_data;
	struct ctrace_session *s = READ_ONCE(f->sess);
	__poll_t mask = 0;
	u32 i;

	if (!s)
		return EPOLLERR;
	poll_wait(file, &s->wq, wait);
	for (i = 0; i < s->nr_rings; i++)
		WRITE_ONCE(s->rings[i].armed, true);
	/* [R2]: pairs with [K2] in ctrace_ring_wake(). */
	smp_mb();
	for (i = 0; i < s->nr_rings; i++) {
		struct ctrace_ring *r = &s->rings[i];

		if (READ_ONCE(r->page->prod) - READ_ONCE(r->kcons->cons) >=
		    r->watermark)
			mask |= EPOLLIN | EPOLLRDNORM;
	}
	if (READ_ONCE(s->state) == CTRACE_SESSION_STOPPED || READ_ONCE(s->dead))
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	return mask;
}

const struct file_operations ctrace_dev_fops = {
	.owner = THIS_MODULE,
	.open = ctrace_dev_open,
	.release = ctrace_dev_release,
	.unlocked_ioctl = ctrace_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = ctrace_dev_mmap,
	.poll = ctrace_dev_poll,
};
