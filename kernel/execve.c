/* execve: replaces the calling process's program. Arguments are copied in
 * from user memory (E2BIG past EXEC_ARG_MAX), "#!" scripts run their
 * interpreter, close-on-exec descriptors are closed, and the thread starts
 * over at the new entry point with a fresh stack, FPU state and TLS. */
#include <arch.h>
#include <asm/user.h>
#include <exec.h>
#include <fd.h>
#include <futex.h>
#include <fs/vfs.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/vm.h>
#include <percpu.h>
#include <ktimer.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>
#include <uapi/fcntl.h>
#include "sys_fs.h"

#define SHEBANG_MAX 256
#define SHEBANG_DEPTH 4

static long file_read_at(void *ctx, void *buf, size_t len, uint64_t off)
{
	return vfs_pread(ctx, buf, len, off);
}

/* Parses "#!interp [arg]" from the start of a file. */
static int parse_shebang(char *buf, size_t n, char **interp, char **arg)
{
	if (n < 3 || buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	buf[n] = '\0';
	char *nl = strchr(buf, '\n');
	if (!nl)
		return -ENOEXEC; /* Linux: the line must end within the buffer
				  */
	*nl = '\0';
	char *p = buf + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*arg = NULL;
	if (*p) {
		*p++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		/* The rest of the line, trailing blanks cut, is one word. */
		char *end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p)
			*arg = p;
	}
	return 0;
}

/* The canonical absolute path of the file path names (symlinks resolved,
 * as Linux's /proc/PID/exe shows), into out; "" if it cannot be made. */
static void exe_path(struct process *p, const char *path, char *out,
		     size_t size)
{
	char name[NAME_MAX + 1];
	char *cur = kmalloc(PATH_MAX), *dir = kmalloc(PATH_MAX);
	out[0] = '\0';
	if (!cur || !dir)
		goto done;
	strlcpy(cur, path, PATH_MAX);
	vfs_lock();
	for (int links = 0; links <= SYMLOOP_MAX; links++) {
		struct inode *parent, *child;
		bool slash;
		if (vfs_lookup_parent(p->fs, p->fs->cwd, cur, &parent, name,
				      &slash))
			break;
		struct vfs_ctx c = *p->fs;
		c.cwd = parent;
		int len = vfs_getcwd(&c, dir, PATH_MAX);
		child = len > 0 ? dir_find(parent, name) : NULL;
		inode_put(parent); /* child stays: its link, and our lock */
		if (!child)
			break;
		if (strcmp(dir, "/") != 0)
			strlcat(dir, "/", PATH_MAX);
		if (S_ISLNK(child->mode) && child->target) {
			/* Go on from the target, relative to its directory. */
			if (child->target[0] == '/')
				strlcpy(cur, child->target, PATH_MAX);
			else if (strlcpy(cur, dir, PATH_MAX) >= PATH_MAX ||
				 strlcat(cur, child->target, PATH_MAX) >=
				     PATH_MAX)
				break;
			continue;
		}
		if (strlcpy(out, dir, size) < size &&
		    strlcat(out, name, size) < size)
			break;
		out[0] = '\0';
		break;
	}
	vfs_unlock();
done:
	kfree(cur);
	kfree(dir);
}

/* execveat's program: a path relative to a directory descriptor, or the
 * file a descriptor holds (AT_EMPTY_PATH, fexecve). NULL for execve. */
struct exec_from {
	struct inode *dir;  /* the directory, or NULL for the cwd */
	struct inode *file; /* AT_EMPTY_PATH: the descriptor's inode */
	const char *walk;   /* otherwise the path to look up from dir */
	int oflags;	    /* O_NOFOLLOW for AT_SYMLINK_NOFOLLOW */
	/* The descriptor is close-on-exec: a script's interpreter could not
	 * open /dev/fd/N, so a script is -ENOENT, as on Linux. */
	bool inaccessible;
	char name[NAME_MAX + 1]; /* out: the file's own name, for comm */
};

/* Opens the program for execution: a regular file with an x bit. */
static int open_exec(struct process *p, struct exec_from *from,
		     const char *path, struct file **out)
{
	if (!from)
		return proc_open_exec(p->fs, path, out);
	struct file *f;
	int r;
	if (from->file) {
		if (!S_ISREG(from->file->mode))
			return -EACCES;
		r = vfs_open_inode(from->file, O_RDONLY, &f);
	} else {
		r = vfs_open(p->fs, from->dir, from->walk,
			     O_RDONLY | from->oflags, 0, &f);
	}
	if (r)
		return r;
	if (!S_ISREG(f->inode->mode))
		r = -EACCES;
	else
		r = inode_permission(p->fs, f->inode, MAY_EXEC);
	if (r) {
		file_put(f);
		return r;
	}
	*out = f;
	return 0;
}

/* The ids the program in ino will run with: its set-user-ID and
 * set-group-ID bits (the latter only with group execute, as Linux) make
 * the effective ids the file's, unless its file system is mounted nosuid.
 * Only the ELF file loaded counts: a #! script's own bits are ignored, its
 * interpreter's apply, as on Linux. AT_SECURE is set when the effective
 * ids differ from the real ones or change (Linux's secureexec without
 * capabilities), so that libc ignores LD_* and the like. */
static void exec_creds(struct process *p, struct inode *ino,
		       struct exec_image *img)
{
	bool nosuid = ino->sb && (ino->sb->flags & MS_NOSUID);
	img->uid = p->uid;
	img->gid = p->gid;
	img->euid = p->euid;
	img->egid = p->egid;
	if (!nosuid && (ino->mode & S_ISUID))
		img->euid = ino->uid;
	if (!nosuid && (ino->mode & (S_ISGID | 010)) == (S_ISGID | 010))
		img->egid = ino->gid;
	img->secure = img->euid != p->euid || img->egid != p->egid ||
		      img->euid != p->uid || img->egid != p->gid;
}

/* Loads the ELF file f, and the program interpreter it names (opened as
 * the program is: a regular file the caller may execute), into img. */
static int load_elf(struct process *p, struct file *f, const char *path,
		    const char *const *argv, const char *const *envp,
		    struct exec_image *img)
{
	char *ipath = kmalloc(PATH_MAX);
	if (!ipath)
		return -ENOMEM;
	int r = exec_interp_path(file_read_at, f, ipath, PATH_MAX);
	if (r || !ipath[0]) {
		kfree(ipath);
		return r ? r
			 : exec_load(file_read_at, f, path, argv, envp, NULL,
				     img);
	}
	struct file *fi;
	r = proc_open_exec(p->fs, ipath, &fi);
	if (r) {
		kfree(ipath);
		return r;
	}
	struct exec_interp in = {
	    .read = file_read_at,
	    .ctx = fi,
	    .file = vma_file_new(ipath, fi->inode->sb ? fi->inode->sb->dev : 0,
				 fi->inode->ino),
	};
	r = exec_load(file_read_at, f, path, argv, envp, &in, img);
	vma_file_put(in.file);
	file_put(fi);
	kfree(ipath);
	return r;
}

/* Loads path (or its interpreter) into a new address space; from (at the
 * first level only) says where execveat's program is. */
static int load(struct process *p, struct exec_from *from, const char *path,
		const char *const *argv, const char *const *envp, int depth,
		struct exec_image *img)
{
	struct file *f;
	int r = open_exec(p, from, path, &f);
	if (r)
		return r;
	char buf[SHEBANG_MAX + 1];
	long n = vfs_pread(f, buf, SHEBANG_MAX, 0);
	char *interp, *arg;
	if (from) {
		/* The file's own name: /proc/PID/exe's target and comm. */
		vfs_lock();
		if (vfs_inode_path(p->fs, f->inode, img->exe, sizeof(img->exe)))
			img->exe[0] = '\0';
		vfs_unlock();
		const char *base = strrchr(img->exe, '/');
		strlcpy(from->name, base ? base + 1 : img->exe,
			sizeof(from->name));
	}
	if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
		file_put(f);
		if (depth >= SHEBANG_DEPTH)
			return -ELOOP;
		if (from && from->inaccessible)
			return -ENOENT;
		r = parse_shebang(buf, (size_t)n, &interp, &arg);
		if (r)
			return r;
		/* New argv: interp [arg] path argv[1...]. */
		int argc = 0;
		while (argv[argc])
			argc++;
		const char **nargv = kmalloc(sizeof(char *) * (argc + 4));
		if (!nargv)
			return -ENOMEM;
		int k = 0;
		nargv[k++] = interp;
		if (arg)
			nargv[k++] = arg;
		nargv[k++] = path;
		for (int i = 1; i < argc; i++)
			nargv[k++] = argv[i];
		nargv[k] = NULL;
		r = load(p, NULL, interp, nargv, envp, depth + 1, img);
		kfree(nargv);
		return r;
	}
	if (!from)
		exe_path(p, path, img->exe, sizeof(img->exe));
	exec_creds(p, f->inode, img);
	/* NULL if out of memory: the segments are then unnamed in maps. */
	img->file =
	    vma_file_new(img->exe[0] ? img->exe : path,
			 f->inode->sb ? f->inode->sb->dev : 0, f->inode->ino);
	r = load_elf(p, f, path, argv, envp, img);
	vma_file_put(img->file);
	file_put(f);
	return r;
}

/* Starts the calling thread over in a new image; on success the current
 * user frame describes the new program. */
static int do_execve(struct exec_from *from, const char *path,
		     const char *const *argv, const char *const *envp)
{
	struct process *p = proc_current();
	struct thread *t = current;
	struct exec_image img;
	int r = load(p, from, path, argv, envp, 0, &img);
	if (r)
		return r;
	/* The new image is ready: no other thread may run in the old
	 * address space once it goes. */
	r = proc_de_thread();
	if (r) {
		mm_destroy(img.mm);
		return r;
	}
	/* As Linux's futex_exec_release: the robust futexes and PI locks
	 * of the old image are released, and the new one has no list. */
	futex_exit_robust(t);
	struct mm *old = proc_swap_mm(p, img.mm);
	mm_activate(p->mm);
	if (old && !p->mm_borrowed) /* a vfork child gives it back */
		mm_destroy(old);
	p->mm_borrowed = false;
	fd_close_cloexec(p);
	/* The saved ids become the effective ones, the filesystem ids
	 * follow them; a process whose effective ids are not its real ones
	 * is not dumpable (Linux's begin_new_exec). */
	p->euid = p->suid = p->fs->uid = img.euid;
	p->egid = p->sgid = p->fs->gid = img.egid;
	p->dumpable = p->euid == p->uid && p->egid == p->gid;
	strlcpy(p->exe, img.exe, sizeof(p->exe));
	/* comm: the name's last part; through a descriptor, the file's
	 * own name (Linux since 6.14) rather than /dev/fd/N's "N". */
	const char *base = strrchr(path, '/');
	if (from && from->name[0])
		strlcpy(p->comm, from->name, sizeof(p->comm));
	else
		strlcpy(p->comm, base ? base + 1 : path, sizeof(p->comm));
	strlcpy(t->name, p->comm, sizeof(t->name));
	arch_user_frame_init(t->utf, img.entry, img.sp);
	fpu_state_init(t->fpu);
	fpu_restore(t->fpu);
	t->fs_base = 0;
	arch_set_fs_base(0);
	t->clear_child_tid = 0;
	signal_exec_reset(p);
	ptimer_exec(p); /* POSIX timers go; itimers and alarm stay */
	if (p->vfork_pending) {
		p->vfork_pending = false;
		wait_queue_wake_all(&p->child_wq);
	}
	return 0;
}

int proc_execve(const char *path, const char *const *argv,
		const char *const *envp)
{
	return do_execve(NULL, path, argv, envp);
}

/* Copies a NULL-terminated vector of user strings into one kernel block:
 * the pointer array followed by the strings. */
static const char **copy_strings(const char __user *const __user *uv,
				 size_t *budget, long *err)
{
	size_t n = 0;
	const char __user *s;
	if (uv) {
		for (;; n++) {
			if (get_user(s, &uv[n])) {
				*err = -EFAULT;
				return NULL;
			}
			if (!s)
				break;
			if (n >= EXEC_ARGC_MAX) {
				*err = -E2BIG;
				return NULL;
			}
		}
	}
	/* One allocation for the pointers, one pool for the strings: the
	 * pool starts at v[0], which is how sys_execve frees it. */
	const char **v = kmalloc(sizeof(char *) * (n + 1));
	char *pool = kmalloc(*budget ? *budget : 1);
	if (!v || !pool) {
		kfree(v);
		kfree(pool);
		*err = -ENOMEM;
		return NULL;
	}
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		/* The vector may have changed since it was counted (another
		 * thread): read each pointer again, checked. */
		long len = get_user(s, &uv[i]);
		if (len == 0)
			len = strncpy_from_user(pool + used, s, *budget - used);
		if (len < 0) {
			kfree(v);
			kfree(pool);
			*err = len == -ENAMETOOLONG ? -E2BIG : len;
			return NULL;
		}
		v[i] = pool + used;
		used += (size_t)len + 1;
	}
	v[n] = NULL;
	*budget -= used;
	if (n == 0)
		kfree(pool); /* nothing points into it */
	return v;
}

/* execve and execveat: copies the vectors in and runs the program. */
static long execve_common(struct exec_from *from, const char *path,
			  const char __user *const __user *uargv,
			  const char __user *const __user *uenvp)
{
	long r = 0;
	size_t budget = EXEC_ARG_MAX;
	const char **argv = copy_strings(uargv, &budget, &r);
	const char **envp = argv ? copy_strings(uenvp, &budget, &r) : NULL;
	if (argv && envp)
		r = do_execve(from, path, argv, envp);
	/* Each vector's strings live in one pool starting at v[0]. */
	if (argv) {
		if (argv[0])
			kfree((void *)argv[0]);
		kfree(argv);
	}
	if (envp) {
		if (envp[0])
			kfree((void *)envp[0]);
		kfree(envp);
	}
	return r;
}

SYSCALL_DEFINE3(execve, const char __user *, upath,
		const char __user *const __user *, uargv,
		const char __user *const __user *, uenvp)
{
	long r;
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return -ENOMEM;
	r = strncpy_from_user(path, upath, PATH_MAX);
	if (r >= 0)
		r = execve_common(NULL, path, uargv, uenvp);
	kfree(path);
	return r;
}

/* execveat: the path is relative to dirfd; with AT_EMPTY_PATH and an empty
 * path, dirfd itself is the program (fexecve). As Linux, the program's
 * name (argv's script argument, AT_EXECFN) is then /dev/fd/N or
 * /dev/fd/N/PATH, while /proc/PID/exe names the file itself. */
SYSCALL_DEFINE5(execveat, int, dirfd, const char __user *, upath,
		const char __user *const __user *, uargv,
		const char __user *const __user *, uenvp, int, flags)
{
	struct process *p = proc_current();
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	long r;
	char *path = getname(upath, &r);
	if (!path)
		return r;
	struct exec_from *from = kzalloc(sizeof(*from));
	char *name = kmalloc(PATH_MAX);
	if (!from || !name) {
		r = -ENOMEM;
		goto out;
	}
	from->oflags = (flags & AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0;
	if (path[0] == '\0' && (flags & AT_EMPTY_PATH)) {
		struct file *f = fd_get(p, dirfd);
		if (!f) {
			r = -EBADF;
			goto out;
		}
		from->file = inode_get(f->inode);
		file_put(f);
		snprintf(name, PATH_MAX, "/dev/fd/%d", dirfd);
	} else {
		r = at_dir(dirfd, path, &from->dir);
		if (r)
			goto out;
		if (from->dir) {
			if (snprintf(name, PATH_MAX, "/dev/fd/%d/%s", dirfd,
				     path) >= PATH_MAX) {
				r = -ENAMETOOLONG;
				goto out;
			}
		} else {
			strlcpy(name, path, PATH_MAX);
		}
	}
	if (from->file || from->dir)
		from->inaccessible = fd_get_cloexec(p, dirfd) > 0;
	/* The walk is path's, relative to from->dir; name is only what
	 * the new program is told. */
	from->walk = path;
	r = execve_common(from, name, uargv, uenvp);
out:
	if (from) {
		vfs_inode_put(from->dir);
		vfs_inode_put(from->file);
	}
	kfree(from);
	kfree(name);
	kfree(path);
	return r;
}
