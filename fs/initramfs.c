/* The root file system at boot (single-threaded, so the data writes below
 * need no fs_lock): an empty ramfs, the initramfs (cpio
 * "newc", as Linux's -initrd) unpacked into it with every entry type Linux
 * accepts, and the /dev nodes a first program needs. A corrupt archive is
 * reported and unpacking stops; what was unpacked so far stays. */
#include <fs/vfs.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <printk.h>
#include <uapi/errno.h>

static struct vfs_ctx boot_ctx(void)
{
	struct vfs_ctx c = {.umask = 0};
	c.root = c.cwd = vfs_root();
	return c;
}

struct cpio_hdr {
	uint32_t ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	    devminor, rdevmajor, rdevminor, namesize;
};

static int hex8(const char *p, uint32_t *out)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		char c = p[i];
		int d = (c >= '0' && c <= '9')	 ? c - '0'
			: (c >= 'a' && c <= 'f') ? c - 'a' + 10
			: (c >= 'A' && c <= 'F') ? c - 'A' + 10
						 : -1;
		if (d < 0)
			return -EINVAL;
		v = v * 16 + (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* Parses the 110-byte header at p. */
static int parse_hdr(const char *p, struct cpio_hdr *h)
{
	if (memcmp(p, "070701", 6) != 0 && memcmp(p, "070702", 6) != 0)
		return -EINVAL;
	uint32_t *f = &h->ino;
	/* Twelve 8-digit fields after the magic, ino to namesize; the
	 * thirteenth (check) is unused in "070701". */
	for (int i = 0; i < 12; i++)
		if (hex8(p + 6 + 8 * i, &f[i]))
			return -EINVAL;
	return 0;
}

/* Creates missing parent directories of path. */
static void make_parents(struct vfs_ctx *c, char *path)
{
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		vfs_create(c, c->root, path, S_IFDIR | 0755, 0, NULL);
		*s = '/';
	}
}

/* Hard links in newc: entries sharing (ino, dev) with nlink > 1; the first
 * one seen is created, later ones link to it. */
struct hardlink {
	uint32_t ino, major, minor;
	char *path;
	struct hardlink *next;
};

static int unpack_entry(struct vfs_ctx *c, const struct cpio_hdr *h, char *path,
			const char *data, struct hardlink **links)
{
	uint32_t type = h->mode & S_IFMT;
	struct inode *ino = NULL;
	int r;
	make_parents(c, path);
	if (type == S_IFREG && h->nlink > 1) {
		for (struct hardlink *l = *links; l; l = l->next)
			if (l->ino == h->ino && l->major == h->devmajor &&
			    l->minor == h->devminor) {
				r = vfs_link(c, c->root, l->path, c->root, path,
					     0);
				if (r || !h->filesize)
					return r;
				/* Data comes with the last link. */
				r = vfs_lookup(c, c->root, path, 0, &ino);
				if (r)
					return r;
				if (inode_write_data(ino, data, h->filesize,
						     0) != (long)h->filesize)
					r = -ENOSPC;
				vfs_inode_put(ino);
				return r;
			}
	}
	switch (type) {
	case S_IFDIR:
		r = vfs_create(c, c->root, path, h->mode, 0, &ino);
		if (r == -EEXIST) {
			r = vfs_lookup(c, c->root, path, 0, &ino);
			if (!r)
				ino->mode = h->mode;
		}
		break;
	case S_IFLNK: {
		char *t = kmalloc(h->filesize + 1);
		if (!t)
			return -ENOMEM;
		memcpy(t, data, h->filesize);
		t[h->filesize] = '\0';
		r = vfs_symlink(c, t, c->root, path);
		kfree(t);
		if (!r)
			r = vfs_lookup(c, c->root, path, 0, &ino);
		break;
	}
	case S_IFREG:
		r = vfs_create(c, c->root, path, h->mode, 0, &ino);
		if (!r && h->filesize &&
		    inode_write_data(ino, data, h->filesize, 0) !=
			(long)h->filesize)
			r = -ENOSPC;
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		r = vfs_create(c, c->root, path, h->mode,
			       MKDEV(h->rdevmajor, h->rdevminor), &ino);
		break;
	default:
		pr_warn("initramfs: %s: unknown file type %#o, skipped", path,
			type);
		return 0;
	}
	if (r) {
		if (ino)
			vfs_inode_put(ino);
		return r;
	}
	ino->uid = h->uid;
	ino->gid = h->gid;
	ino->mtime.tv_sec = h->mtime;
	vfs_inode_put(ino);
	if (type == S_IFREG && h->nlink > 1) {
		struct hardlink *l = kmalloc(sizeof(*l));
		size_t len = strlen(path);
		if (l && (l->path = kmalloc(len + 1))) {
			memcpy(l->path, path, len + 1);
			l->ino = h->ino;
			l->major = h->devmajor;
			l->minor = h->devminor;
			l->next = *links;
			*links = l;
		} else {
			kfree(l);
		}
	}
	return 0;
}

int initramfs_unpack(const void *archive, size_t len)
{
	const char *a = archive;
	struct vfs_ctx c = boot_ctx();
	struct hardlink *links = NULL;
	size_t off = 0;
	int count = 0, r = 0;
	char *path = kmalloc(PATH_MAX + 2);
	if (!path)
		return -ENOMEM;
	while (off + 110 <= len) {
		struct cpio_hdr h;
		if (parse_hdr(a + off, &h)) {
			/* Linux allows zero padding between archives. */
			if (a[off] == '\0') {
				off += 4;
				continue;
			}
			pr_err("initramfs: bad header at offset %zu: stopped",
			       off);
			r = -EINVAL;
			break;
		}
		size_t name_off = off + 110;
		size_t data_off = ALIGN_UP(name_off + h.namesize, 4);
		if (h.namesize == 0 || h.namesize > PATH_MAX ||
		    name_off + h.namesize > len || data_off > len ||
		    h.filesize > len - data_off ||
		    a[name_off + h.namesize - 1] != '\0') {
			pr_err("initramfs: entry at offset %zu runs past the "
			       "archive: stopped",
			       off);
			r = -EINVAL;
			break;
		}
		const char *name = a + name_off;
		off = ALIGN_UP(data_off + h.filesize, 4);
		if (strcmp(name, "TRAILER!!!") == 0)
			continue;
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		while (*name == '/')
			name++;
		if (!*name || strcmp(name, ".") == 0)
			continue;
		path[0] = '/';
		strlcpy(path + 1, name, PATH_MAX + 1);
		int e = unpack_entry(&c, &h, path, a + data_off, &links);
		if (e)
			pr_warn("initramfs: %s: error %d", path, e);
		else
			count++;
	}
	while (links) {
		struct hardlink *n = links->next;
		kfree(links->path);
		kfree(links);
		links = n;
	}
	kfree(path);
	pr_info("initramfs: %d entries unpacked", count);
	return r;
}

/* /dev with the device nodes Linux expects a first program to have (kept
 * if the archive brought its own), a tmpfs on /dev/shm, a devpts on
 * /dev/pts, and /tmp. */
void initramfs_make_dev(void)
{
	struct vfs_ctx c = boot_ctx();
	struct inode *dev;
	vfs_create(&c, c.root, "/dev", S_IFDIR | 0755, 0, NULL);
	vfs_create(&c, c.root, "/tmp", S_IFDIR | 01777, 0, NULL);
	vfs_lock();
	if (vfs_lookup(&c, c.root, "/dev", LOOKUP_FOLLOW, &dev) == 0) {
		if (S_ISDIR(dev->mode)) {
			devtmpfs_populate(dev);
			vfs_mount_dev_shm(dev);
			vfs_mount_dev_pts(dev);
		}
		inode_put(dev);
	}
	vfs_unlock();
}
