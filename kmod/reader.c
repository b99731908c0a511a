// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ctrace: a session's reader (ATTACH, then mmap the rings and poll),
 * or a process writing user events (REGISTER, then mmap its control page
 * and its user's ring set; user.c).  A file is one or the other.
 *
 * The file is mode 0666; ATTACH checks that the caller owns the session
 * (or has CAP_PERFMON), and only one file may be attached to a session.
 * Closing the attached file destroys the session, as closing its netlink
 * socket does, so a killed reader leaks nothing.  Its mappings keep the
 * file, and so the session's memory, alive until they are unmapped.
 *
 * Mapping a session: the read-only region (meta area, then each ring's
 * page and data) may be mapped in any page-aligned part, never writable;
 * the consumer region only whole and MAP_SHARED; a user ring set of the
 * session's table only whole, MAP_SHARED, writable (the reader writes its
 * consumer positions there).  Mapping a writer: its control page alone,
 * read-only; its ring set whole, MAP_SHARED.  Pages are supplied at fault
 * time from vmalloc areas.
 *
 *   [R2] smp_mb() in poll() pairs with [K2] in ring.c.
 */
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "ctrace.h"

struct ctrace_file {
	struct mutex lock;		/* serialises ATTACH and REGISTER */
	struct ctrace_session *sess;	/* set once, by ATTACH */
	struct ctrace_writer *writer;	/* set once, by REGISTER */
};

static int ctrace_dev_open(struct inode *inode, struct file *file)
{
	struct ctrace_file *f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int ctrace_dev_release(struct inode *inode, struct file *file)
{
	struct ctrace_file *f = file->private_data;
	struct ctrace_session *s = f->sess;

	if (f->writer)
		ctrace_user_unregister(f->writer);
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

	/*
	 * The file is attached (f->sess, which mmap reads) only once the
	 * answer is written back: an unwritable argument fails with EFAULT
	 * and leaves the file as it was.  The session is held for the file
	 * meanwhile (s->reader, and a reference), under f->lock, so that no
	 * other attach can take it; the copy-out itself runs without
	 * ctrace_lock, which a fault must never hold up.
	 */
	mutex_lock(&f->lock);
	mutex_lock(&ctrace_lock);
	if (f->sess || f->writer) {
		err = -EBUSY;	/* this file already reads or writes */
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
	mutex_unlock(&ctrace_lock);
	if (put_user((u64)s->meta_pages << PAGE_SHIFT, &uarg->meta_size)) {
		mutex_lock(&ctrace_lock);
		if (s->reader == file)
			s->reader = NULL;
		mutex_unlock(&ctrace_lock);
		mutex_unlock(&f->lock);
		ctrace_session_put(s);
		return -EFAULT;
	}
	WRITE_ONCE(f->sess, s);
	mutex_unlock(&f->lock);
	return 0;
out:
	mutex_unlock(&ctrace_lock);
	mutex_unlock(&f->lock);
	return err;
}

static long ctrace_ioc_register(struct file *file,
				struct ctrace_register __user *uarg)
{
	struct ctrace_file *f = file->private_data;
	struct ctrace_register kr;
	struct ctrace_writer *w;
	u32 usize;
	int err;

	if (get_user(usize, &uarg->size))
		return -EFAULT;
	if (usize < CTRACE_REGISTER_SIZE_VER0 || usize > PAGE_SIZE)
		return -EINVAL;
	err = copy_struct_from_user(&kr, sizeof(kr), uarg, usize);
	if (err)
		return err;
	if (kr.flags || kr.reserved || kr.ctl_off || kr.ctl_size ||
	    kr.uset_off || kr.uset_size)
		return -EINVAL;

	mutex_lock(&f->lock);
	if (f->sess || f->writer) {
		mutex_unlock(&f->lock);
		return -EBUSY;
	}
	w = ctrace_user_register(&err);
	if (!w) {
		mutex_unlock(&f->lock);
		return err;
	}
	kr.ctl_off = 0;
	kr.ctl_size = PAGE_SIZE;
	kr.uset_off = PAGE_SIZE;
	kr.uset_size = w->uset->map_size;
	/*
	 * As for ATTACH: registered (f->writer, which mmap reads) only once
	 * the answer is written back.  Then the file stays registered:
	 * closing it is how to unregister.
	 */
	if (copy_to_user(uarg, &kr, min_t(size_t, usize, sizeof(kr)))) {
		mutex_unlock(&f->lock);
		ctrace_user_unregister(w);
		return -EFAULT;
	}
	WRITE_ONCE(f->writer, w);
	mutex_unlock(&f->lock);
	return 0;
}

static long ctrace_dev_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	switch (cmd) {
	case CTRACE_IOC_ATTACH:
		return ctrace_ioc_attach(file, (void __user *)arg);
	case CTRACE_IOC_REGISTER:
		return ctrace_ioc_register(file, (void __user *)arg);
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

static vm_fault_t ctrace_writer_vm_fault(struct vm_fault *vmf)
{
	struct ctrace_writer *w = vmf->vma->vm_private_data;
	struct page *page = ctrace_writer_page(w, vmf->pgoff);

	if (!page)
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct ctrace_writer_vm_ops = {
	.fault = ctrace_writer_vm_fault,
};

/* A mapping user space may only read. */
static int ctrace_vma_read_only(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);
	return 0;
}

/* A mapping user space writes and the kernel must see: shared only. */
static int ctrace_vma_shared(struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;	/* a private copy would tell no one anything */
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	vm_flags_clear(vma, VM_MAYEXEC);
	return 0;
}

static int ctrace_writer_mmap(struct ctrace_writer *w, struct vm_area_struct *vma)
{
	unsigned long pgoff = vma->vm_pgoff, pages = vma_pages(vma);
	int err;

	/*
	 * Only its user maps a ring set, even through a file it was handed
	 * (SCM_RIGHTS, or inherited across a change of user).
	 */
	if (!uid_eq(current_euid(), w->uset->uid))
		return -EACCES;
	if (pgoff == 0 && pages == 1)
		err = ctrace_vma_read_only(vma);
	else if (pgoff == 1 && pages == w->uset->map_size >> PAGE_SHIFT)
		err = ctrace_vma_shared(vma);
	else
		err = -EINVAL;
	if (err)
		return err;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &ctrace_writer_vm_ops;
	vma->vm_private_data = w;
	return 0;
}

static int ctrace_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ctrace_file *f = file->private_data;
	struct ctrace_session *s = READ_ONCE(f->sess);
	struct ctrace_writer *w = READ_ONCE(f->writer);
	unsigned long pgoff = vma->vm_pgoff, pages = vma_pages(vma);
	unsigned long ro_pages, cons_pgoff, user_pgoff, slot;
	struct ctrace_ringset *u;
	int err;

	if (w)
		return ctrace_writer_mmap(w, vma);
	if (!s)
		return -EINVAL;		/* neither attached nor registered */
	ro_pages = s->meta_pages + s->nr_rings * s->ring_pages;
	cons_pgoff = ro_pages;
	user_pgoff = ctrace_user_base_pgoff(s);
	if (pgoff < ro_pages && pages <= ro_pages - pgoff) {
		err = ctrace_vma_read_only(vma);
	} else if (pgoff == cons_pgoff && pages == s->cons_pages) {
		err = ctrace_vma_shared(vma);
	} else if (pgoff >= user_pgoff &&
		   (pgoff - user_pgoff) % CTRACE_USET_STRIDE_PAGES == 0) {
		/* A ring set of the table, whole. */
		slot = (pgoff - user_pgoff) / CTRACE_USET_STRIDE_PAGES;
		u = slot < CTRACE_USETS_MAX ? READ_ONCE(s->usets[slot]) : NULL;
		if (u && pages == u->map_size >> PAGE_SHIFT)
			err = ctrace_vma_shared(vma);
		else
			err = -EINVAL;
	} else {
		err = -EINVAL;
	}
	if (err)
		return err;
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
		return READ_ONCE(f->writer) ? 0 : EPOLLERR;
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
