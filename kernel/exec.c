/* The ELF loader and the initial user stack. Segments are copied into
 * anonymous private memory; bss is the zero tail of the last page plus
 * demand-zero pages. A dynamic program's interpreter (ld.so) is loaded the
 * same way beside it, and starts first. */
#include <asm/cpufeature.h>
#include <elf.h>
#include <exec.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <mm/mm.h>
#include <printk.h>
#include <random.h>
#include <uapi/errno.h>
#include <uapi/mman.h>

/* Where static-PIE executables go, as Linux's ELF_ET_DYN_BASE without
 * randomisation. */
#define ET_DYN_BASE 0x555555554000UL

static unsigned seg_prot(uint32_t pf)
{
	return ((pf & PF_R) ? PROT_READ : 0) | ((pf & PF_W) ? PROT_WRITE : 0) |
	       ((pf & PF_X) ? PROT_EXEC : 0);
}

static int check_ehdr(const struct elf64_ehdr *eh)
{
	if (memcmp(eh->e_ident, "\177ELF", 4) != 0)
		return -ENOEXEC;
	if (eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > 64)
		return -ENOEXEC;
	return 0;
}

/* Copies one PT_LOAD segment into the new address space. */
static int load_segment(struct mm *mm, exec_read_fn read, void *ctx,
			const struct elf64_phdr *ph, uintptr_t bias,
			struct vma_file *file)
{
	uintptr_t va = ph->p_vaddr + bias;
	uintptr_t start = ALIGN_DOWN(va, PAGE_SIZE);
	uintptr_t end = ALIGN_UP(va + ph->p_memsz, PAGE_SIZE);
	if (ph->p_filesz > ph->p_memsz || end <= start || end > USER_TOP ||
	    start < USER_MIN_ADDR)
		return -ENOEXEC;
	/* Pages holding file bytes carry the file's name in /proc/PID/maps,
	 * the zero-filled rest (bss) is anonymous, as on Linux. */
	unsigned prot = seg_prot(ph->p_flags);
	uintptr_t file_end =
	    ph->p_filesz ? ALIGN_UP(va + ph->p_filesz, PAGE_SIZE) : start;
	uint64_t pgoff =
	    ph->p_offset >= va - start ? ph->p_offset - (va - start) : 0;
	int r = 0;
	if (file_end > start)
		r = mm_map_file(mm, start, file_end - start, prot, file, pgoff);
	if (!r && end > file_end)
		r = mm_map(mm, file_end, end - file_end, prot, 0);
	if (r)
		return r;
	uint8_t *buf = kmalloc(PAGE_SIZE);
	if (!buf)
		return -ENOMEM;
	for (uint64_t done = 0; done < ph->p_filesz;) {
		size_t n = MIN(PAGE_SIZE, ph->p_filesz - done);
		long got = read(ctx, buf, n, ph->p_offset + done);
		if (got != (long)n) {
			r = got < 0 ? (int)got : -EIO;
			break;
		}
		r = mm_write(mm, va + done, buf, n);
		if (r)
			break;
		done += n;
	}
	kfree(buf);
	return r;
}

/* Pushes bytes onto the new stack (growing down); returns the address. */
static int push_bytes(struct mm *mm, uintptr_t *sp, const void *data,
		      size_t len, uintptr_t *at)
{
	*sp -= len;
	*at = *sp;
	return mm_write(mm, *sp, data, len);
}

static int count_strings(const char *const *v, size_t *bytes)
{
	int n = 0;
	for (; v && v[n]; n++) {
		*bytes += strlen(v[n]) + 1;
		if (n >= EXEC_ARGC_MAX || *bytes > EXEC_ARG_MAX)
			return -E2BIG;
	}
	return n;
}

static int build_stack(struct mm *mm, const char *execfn,
		       const char *const *argv, const char *const *envp,
		       const uint64_t *auxv_in, size_t nauxv, uintptr_t *sp_out)
{
	size_t bytes = 0;
	int argc = count_strings(argv, &bytes);
	int envc = argc < 0 ? 0 : count_strings(envp, &bytes);
	if (argc < 0 || envc < 0)
		return -E2BIG;
	int r = mm_map(mm, USER_STACK_TOP - 128 * 1024, 128 * 1024,
		       PROT_READ | PROT_WRITE, VMA_GROWSDOWN);
	if (r)
		return r;
	uintptr_t sp = USER_STACK_TOP, at;
	/* Random offset of the top, 16-byte steps within a page. */
	uint16_t jitter = 0;
	random_fill(&jitter, sizeof(jitter));
	sp -= (jitter % 256) * 16;

	r = push_bytes(mm, &sp, execfn, strlen(execfn) + 1, &at);
	uintptr_t execfn_at = at;
	uintptr_t *argp = kmalloc(sizeof(uintptr_t) * (argc + envc + 2));
	if (!argp)
		return -ENOMEM;
	for (int i = envc - 1; i >= 0 && !r; i--)
		r = push_bytes(mm, &sp, envp[i], strlen(envp[i]) + 1,
			       &argp[argc + i]);
	for (int i = argc - 1; i >= 0 && !r; i--)
		r = push_bytes(mm, &sp, argv[i], strlen(argv[i]) + 1, &argp[i]);
	if (argc > 0) {
		/* The argv strings lie end to end: /proc/PID/cmdline. */
		mm->arg_start = argp[0];
		mm->arg_end = argp[argc - 1] + strlen(argv[argc - 1]) + 1;
	}
	if (envc > 0) {
		mm->env_start = argp[argc];
		mm->env_end =
		    argp[argc + envc - 1] + strlen(envp[envc - 1]) + 1;
	}
	static const char platform[] = "x86_64";
	uintptr_t platform_at = 0, random_at = 0;
	uint8_t rnd[16];
	random_fill(rnd, sizeof(rnd));
	if (!r)
		r = push_bytes(mm, &sp, platform, sizeof(platform),
			       &platform_at);
	sp = ALIGN_DOWN(sp, 16);
	if (!r)
		r = push_bytes(mm, &sp, rnd, sizeof(rnd), &random_at);
	if (r) {
		kfree(argp);
		return r;
	}

	/* Vector part: argc, argv, NULL, envp, NULL, auxv, AT_NULL. */
	size_t nwords = 1 + argc + 1 + envc + 1 + nauxv + 6 + 2;
	uint64_t *vec = kmalloc(nwords * sizeof(uint64_t));
	if (!vec) {
		kfree(argp);
		return -ENOMEM;
	}
	size_t w = 0;
	vec[w++] = argc;
	for (int i = 0; i < argc; i++)
		vec[w++] = argp[i];
	vec[w++] = 0;
	for (int i = 0; i < envc; i++)
		vec[w++] = argp[argc + i];
	vec[w++] = 0;
	for (size_t i = 0; i < nauxv; i++)
		vec[w++] = auxv_in[i];
	vec[w++] = AT_RANDOM;
	vec[w++] = random_at;
	vec[w++] = AT_EXECFN;
	vec[w++] = execfn_at;
	vec[w++] = AT_PLATFORM;
	vec[w++] = platform_at;
	vec[w++] = AT_NULL;
	vec[w++] = 0;
	sp -= w * sizeof(uint64_t);
	sp = ALIGN_DOWN(sp, 16); /* rsp is 16-byte aligned at _start */
	r = mm_write(mm, sp, vec, w * sizeof(uint64_t));
	kfree(vec);
	kfree(argp);
	*sp_out = sp;
	return r;
}

/* What loading one ELF file left behind, for the aux vector. */
struct elf_loaded {
	uintptr_t entry;   /* e_entry, relocated */
	uintptr_t phdr_va; /* where its program headers are mapped */
	uintptr_t end;	   /* the end of its highest segment */
	uint16_t phnum;
	uintptr_t bias; /* load address minus link address */
};

/* Reads and checks the ELF and program headers; *ph is kmalloc'd. A file
 * shorter than an ELF header is -short_err, anything else wrong -ENOEXEC. */
static int read_headers(exec_read_fn read, void *ctx, struct elf64_ehdr *eh,
			struct elf64_phdr **ph, int short_err)
{
	long got = read(ctx, eh, sizeof(*eh), 0);
	if (got < 0)
		return (int)got;
	if (got != sizeof(*eh))
		return -short_err;
	if (check_ehdr(eh))
		return -ENOEXEC;
	size_t phsize = eh->e_phnum * sizeof(**ph);
	*ph = kmalloc(phsize);
	if (!*ph)
		return -ENOMEM;
	if (read(ctx, *ph, phsize, eh->e_phoff) != (long)phsize) {
		kfree(*ph);
		*ph = NULL;
		return -ENOEXEC;
	}
	return 0;
}

/* The lowest and highest page-aligned addresses of the PT_LOAD segments
 * (link addresses); -ENOEXEC if there are none or they wrap. */
static int load_span(const struct elf64_phdr *ph, int phnum, uintptr_t *lo,
		     uintptr_t *hi)
{
	*lo = ~(uintptr_t)0;
	*hi = 0;
	for (int i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		uintptr_t end = ph[i].p_vaddr + ph[i].p_memsz;
		if (end < ph[i].p_vaddr || end > USER_TOP)
			return -ENOEXEC;
		*lo = MIN(*lo, ALIGN_DOWN(ph[i].p_vaddr, PAGE_SIZE));
		*hi = MAX(*hi, ALIGN_UP(end, PAGE_SIZE));
	}
	return *hi > *lo ? 0 : -ENOEXEC;
}

/* Maps every PT_LOAD segment of one ELF file at bias. */
static int load_elf(struct mm *mm, exec_read_fn read, void *ctx,
		    struct vma_file *file, const struct elf64_ehdr *eh,
		    const struct elf64_phdr *ph, uintptr_t bias,
		    struct elf_loaded *out)
{
	uintptr_t phdr_va = 0, end = 0;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			phdr_va = ph[i].p_vaddr + bias;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		int r = load_segment(mm, read, ctx, &ph[i], bias, file);
		if (r)
			return r;
		end = MAX(end, ph[i].p_vaddr + bias + ph[i].p_memsz);
		/* Without PT_PHDR, the headers are found inside the
		 * segment that maps file offset e_phoff. */
		if (!phdr_va && ph[i].p_offset <= eh->e_phoff &&
		    eh->e_phoff < ph[i].p_offset + ph[i].p_filesz)
			phdr_va =
			    ph[i].p_vaddr + bias + eh->e_phoff - ph[i].p_offset;
	}
	if (!end)
		return -ENOEXEC;
	out->entry = eh->e_entry + bias;
	out->phdr_va = phdr_va;
	out->end = end;
	out->phnum = eh->e_phnum;
	out->bias = bias;
	return 0;
}

/* Loads the program interpreter (ld.so): a shared object where mmap would
 * put a mapping of its size (below the mmap base, above the program), as
 * Linux does; an ET_EXEC one at its link address. As on Linux, a file
 * shorter than an ELF header is -EIO and one that is not an x86-64 ELF
 * file -ELIBBAD. */
static int load_interp(struct mm *mm, const struct exec_interp *in,
		       struct elf_loaded *out)
{
	struct elf64_ehdr eh;
	struct elf64_phdr *ph = NULL;
	int r = read_headers(in->read, in->ctx, &eh, &ph, EIO);
	if (r)
		return r == -ENOEXEC ? -ELIBBAD : r;
	uintptr_t lo, hi, bias = 0;
	r = load_span(ph, eh.e_phnum, &lo, &hi);
	if (!r && eh.e_type == ET_DYN) {
		uintptr_t base = mm_find_free(mm, hi - lo, 0);
		if (!base)
			r = -ENOMEM;
		bias = base - lo;
	}
	if (!r)
		r = load_elf(mm, in->read, in->ctx, in->file, &eh, ph, bias,
			     out);
	kfree(ph);
	return r;
}

int exec_interp_path(exec_read_fn read, void *ctx, char *buf, size_t size)
{
	struct elf64_ehdr eh;
	struct elf64_phdr *ph = NULL;
	buf[0] = '\0';
	int r = read_headers(read, ctx, &eh, &ph, ENOEXEC);
	if (r)
		return r;
	for (int i = 0; i < eh.e_phnum && !r; i++) {
		if (ph[i].p_type != PT_INTERP)
			continue;
		/* A NUL-terminated path that fits, or the file is bad. */
		uint64_t n = ph[i].p_filesz;
		if (n < 2 || n > size) {
			r = -ENOEXEC;
			break;
		}
		long got = read(ctx, buf, n, ph[i].p_offset);
		if (got != (long)n || buf[n - 1] != '\0')
			r = got < 0 ? (int)got : -ENOEXEC;
		if (r)
			buf[0] = '\0';
		break;
	}
	kfree(ph);
	return r;
}

int exec_load(exec_read_fn read, void *ctx, const char *execfn,
	      const char *const *argv, const char *const *envp,
	      const struct exec_interp *interp, struct exec_image *out)
{
	struct elf64_ehdr eh;
	struct elf64_phdr *ph = NULL;
	struct mm *mm = NULL;
	struct elf_loaded prog, ld = {0};
	int r = read_headers(read, ctx, &eh, &ph, ENOEXEC);
	if (r)
		return r;
	/* A program that names an interpreter is loaded only with it. */
	r = -ENOEXEC;
	for (int i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_INTERP && !interp)
			goto fail;
	uintptr_t bias = eh.e_type == ET_DYN ? ET_DYN_BASE : 0;
	r = -ENOMEM;
	mm = mm_create();
	if (!mm)
		goto fail;
	r = load_elf(mm, read, ctx, out->file, &eh, ph, bias, &prog);
	if (r)
		goto fail;
	mm->brk_start = mm->brk = ALIGN_UP(prog.end, PAGE_SIZE);
	if (interp) {
		r = load_interp(mm, interp, &ld);
		if (r)
			goto fail;
	}

	uint64_t auxv[] = {
	    AT_PHDR,	    prog.phdr_va, AT_PHENT,  sizeof(struct elf64_phdr),
	    AT_PHNUM,	    prog.phnum,	  AT_PAGESZ, PAGE_SIZE,
	    AT_BASE,	    ld.bias,	  AT_FLAGS,  0,
	    AT_ENTRY,	    prog.entry,	  AT_UID,    out->uid,
	    AT_EUID,	    out->euid,	  AT_GID,    out->gid,
	    AT_EGID,	    out->egid,	  AT_SECURE, out->secure,
	    AT_HWCAP,	    cpu_hwcap(),  AT_CLKTCK, 100,
	    AT_MINSIGSTKSZ, 2048,
	};
	r = build_stack(mm, execfn, argv, envp, auxv, ARRAY_SIZE(auxv),
			&out->sp);
	if (r)
		goto fail;
	out->mm = mm;
	out->entry = interp ? ld.entry : prog.entry;
	kfree(ph);
	return 0;
fail:
	if (mm)
		mm_destroy(mm);
	kfree(ph);
	return r;
}
