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
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/mm.h>
#include <mm/vm.h>
#include <percpu.h>
#include <proc.h>
#include <sched.h>
#include <syscall.h>
#include <uaccess.h>
#include <uapi/errno.h>

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

/* Loads path (or its interpreter) into a new address space. */
static int load(struct process *p, const char *path, const char *const *argv,
		const char *const *envp, int depth, struct exec_image *img)
{
	struct file *f;
	int r = proc_open_exec(p->fs, path, &f);
	if (r)
		return r;
	char buf[SHEBANG_MAX + 1];
	long n = vfs_pread(f, buf, SHEBANG_MAX, 0);
	char *interp, *arg;
	if (n >= 2 && buf[0] == '#' && buf[1] == '!') {
		file_put(f);
		if (depth >= SHEBANG_DEPTH)
			return -ELOOP;
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
		r = load(p, interp, nargv, envp, depth + 1, img);
		kfree(nargv);
		return r;
	}
	exe_path(p, path, img->exe, sizeof(img->exe));
	/* NULL if out of memory: the segments are then unnamed in maps. */
	img->file =
	    vma_file_new(img->exe[0] ? img->exe : path,
			 f->inode->sb ? f->inode->sb->dev : 0, f->inode->ino);
	r = exec_load(file_read_at, f, path, argv, envp, img);
	vma_file_put(img->file);
	file_put(f);
	return r;
}

/* Starts the calling thread over in a new image; on success the current
 * user frame describes the new program. */
int proc_execve(const char *path, const char *const *argv,
		const char *const *envp)
{
	struct process *p = proc_current();
	struct thread *t = current;
	struct exec_image img;
	int r = load(p, path, argv, envp, 0, &img);
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
	strlcpy(p->exe, img.exe, sizeof(p->exe));
	const char *base = strrchr(path, '/');
	strlcpy(p->comm, base ? base + 1 : path, sizeof(p->comm));
	strlcpy(t->name, p->comm, sizeof(t->name));
	arch_user_frame_init(t->utf, img.entry, img.sp);
	fpu_state_init(t->fpu);
	fpu_restore(t->fpu);
	t->fs_base = 0;
	arch_set_fs_base(0);
	t->clear_child_tid = 0;
	signal_exec_reset(p);
	if (p->vfork_pending) {
		p->vfork_pending = false;
		wait_queue_wake_all(&p->child_wq);
	}
	return 0;
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

SYSCALL_DEFINE3(execve, const char __user *, upath,
		const char __user *const __user *, uargv,
		const char __user *const __user *, uenvp)
{
	long r;
	char *path = kmalloc(PATH_MAX);
	if (!path)
		return -ENOMEM;
	r = strncpy_from_user(path, upath, PATH_MAX);
	if (r < 0) {
		kfree(path);
		return r;
	}
	size_t budget = EXEC_ARG_MAX;
	const char **argv = copy_strings(uargv, &budget, &r);
	const char **envp = argv ? copy_strings(uenvp, &budget, &r) : NULL;
	if (argv && envp)
		r = proc_execve(path, argv, envp);
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
	kfree(path);
	return r;
}

/* execveat: the path is relative to dirfd; with AT_EMPTY_PATH and an empty
 * path, dirfd itself is the program (fexecve), by its /proc path. */
SYSCALL_DEFINE5(execveat, int, dirfd, const char __user *, upath,
		const char __user *const __user *, uargv,
		const char __user *const __user *, uenvp, int, flags)
{
	char buf[2];
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if (strncpy_from_user(buf, upath, sizeof(buf)) < 0)
		return -EFAULT;
	if (dirfd == AT_FDCWD || (buf[0] == '/'))
		return sys_execve(upath, uargv, uenvp);
	/* Relative to a directory descriptor or the descriptor itself:
	 * needs the open file's path, which the VFS does not keep yet. */
	return -ENOSYS;
}
