/* The x86_64 signal frame, laid out as Linux's rt_sigframe so libc's
 * restorers and debuggers understand it:
 *
 *   sp ->  pretcode (the SA_RESTORER address the handler returns to)
 *          struct ucontext (flags, link, stack, sigcontext, sigmask)
 *          struct siginfo (128 bytes)
 *          FPU state (XSAVE/FXSAVE area, 64-byte aligned), fpstate points here
 *
 * rt_sigreturn restores the registers from the sigcontext, allowing only
 * user-controllable flags and forcing user segments, and reloads the FPU
 * state after checking its header, so nothing in a forged frame can reach
 * ring 0. */
#include <asm/gdt.h>
#include <asm/user.h>
#include <lib/string.h>
#include <mm/kmalloc.h>
#include <mm/layout.h>
#include <percpu.h>
#include <sched.h>
#include <signal.h>
#include <uaccess.h>
#include <uapi/errno.h>

struct sigcontext_k {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};
STATIC_ASSERT(sizeof(struct sigcontext_k) == 256, "sigcontext size");

struct ucontext_k {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct sigaltstack_k stack;
	struct sigcontext_k mc;
	uint64_t sigmask;
};

struct siginfo_k {
	int32_t si_signo, si_errno, si_code, pad;
	uint8_t rest[112];
};
STATIC_ASSERT(sizeof(struct siginfo_k) == 128, "siginfo size");

struct rt_sigframe {
	uint64_t pretcode;
	struct ucontext_k uc;
	struct siginfo_k info;
};

#define RFLAGS_DF (1UL << 10)
/* Flags user code may change through a signal frame. */
#define RFLAGS_USER_MASK 0x254dd5UL /* CF PF AF ZF SF TF DF OF AC ID RF NT */

int arch_signal_setup(struct trap_frame *tf, const struct ksiginfo *info,
		      const struct k_sigaction *ka, uint64_t oldmask)
{
	struct thread *t = current;
	size_t fsize = fpu_state_size();
	/* Below the red zone, FPU area 64-aligned, frame 16-aligned so
	 * that the handler starts with rsp + 8 aligned as after a call. */
	uintptr_t sp = tf->rsp - 128;
	if ((ka->flags & SA_ONSTACK) && t->altstack_size &&
	    !signal_on_altstack(t, tf->rsp))
		sp = t->altstack_sp + t->altstack_size;
	sp = ALIGN_DOWN(sp - fsize, 64);
	uintptr_t fpstate = sp;
	sp = ALIGN_DOWN(sp - sizeof(struct rt_sigframe), 16) - 8;

	struct rt_sigframe *frame = kzalloc(sizeof(*frame));
	if (!frame)
		return -EFAULT;
	frame->pretcode = ka->restorer;
	struct sigcontext_k *mc = &frame->uc.mc;
	mc->r8 = tf->r8, mc->r9 = tf->r9, mc->r10 = tf->r10, mc->r11 = tf->r11;
	mc->r12 = tf->r12, mc->r13 = tf->r13, mc->r14 = tf->r14;
	mc->r15 = tf->r15, mc->rdi = tf->rdi, mc->rsi = tf->rsi;
	mc->rbp = tf->rbp, mc->rbx = tf->rbx, mc->rdx = tf->rdx;
	mc->rax = tf->rax, mc->rcx = tf->rcx, mc->rsp = tf->rsp;
	mc->rip = tf->rip, mc->eflags = tf->rflags;
	mc->cs = (uint16_t)tf->cs, mc->ss = (uint16_t)tf->ss;
	mc->trapno = tf->vector < 32 ? tf->vector : 0;
	mc->err = tf->error;
	mc->oldmask = oldmask;
	mc->fpstate = fpstate;
	frame->uc.sigmask = oldmask;
	signal_altstack_save(t, tf->rsp, &frame->uc.stack);
	memcpy(&frame->info, info, sizeof(*info));

	fpu_save(t->fpu);
	int r = 0;
	if (!(ka->flags & SA_RESTORER) || !ka->restorer ||
	    copy_to_user((void __user *)fpstate, t->fpu, fsize) ||
	    copy_to_user((void __user *)sp, frame, sizeof(*frame)))
		r = -EFAULT;
	kfree(frame);
	if (r)
		return r;
	/* Enter the handler: handler(sig, &info, &uc). */
	tf->rdi = (uint64_t)info->signo;
	tf->rsi = sp + offsetof(struct rt_sigframe, info);
	tf->rdx = sp + offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rsp = sp;
	tf->rip = ka->handler;
	tf->rflags &= ~(RFLAGS_DF | (1UL << 8)); /* DF and TF clear */
	tf->cs = SEG_UCODE | 3;
	tf->ss = SEG_UDATA | 3;
	/* A fresh FPU state for the handler (Linux clears it too). */
	fpu_state_init(t->fpu);
	fpu_restore(t->fpu);
	return 0;
}

/* An XSAVE image is loaded only if its header is one XRSTOR accepts. */
static bool fpu_image_ok(const uint8_t *img, size_t size)
{
	uint32_t mxcsr;
	memcpy(&mxcsr, img + 24, sizeof(mxcsr));
	if (mxcsr & 0xffff0000u)
		return false;
	if (size > 512) {
		uint64_t bv, comp;
		memcpy(&bv, img + 512, 8);
		memcpy(&comp, img + 520, 8);
		if (comp != 0 || (bv & ~0x7ULL))
			return false;
		for (int i = 528; i < 576; i++)
			if (img[i])
				return false;
	}
	return true;
}

int arch_signal_return(struct trap_frame *tf, uint64_t *mask)
{
	struct thread *t = current;
	/* The handler's ret popped pretcode: the frame is 8 bytes below. */
	uintptr_t sp = tf->rsp - 8;
	struct rt_sigframe *frame = kmalloc(sizeof(*frame));
	if (!frame)
		return -EFAULT;
	int r = copy_from_user(frame, (const void __user *)sp, sizeof(*frame));
	if (!r) {
		const struct sigcontext_k *mc = &frame->uc.mc;
		size_t fsize = fpu_state_size();
		uint8_t *img = kmalloc(fsize);
		if (!img ||
		    copy_from_user(img, (const void __user *)mc->fpstate,
				   fsize) ||
		    !fpu_image_ok(img, fsize)) {
			r = -EFAULT;
		} else {
			memcpy(t->fpu, img, fsize);
			fpu_restore(t->fpu);
		}
		kfree(img);
		if (!r) {
			tf->r8 = mc->r8, tf->r9 = mc->r9, tf->r10 = mc->r10;
			tf->r11 = mc->r11, tf->r12 = mc->r12, tf->r13 = mc->r13;
			tf->r14 = mc->r14, tf->r15 = mc->r15, tf->rdi = mc->rdi;
			tf->rsi = mc->rsi, tf->rbp = mc->rbp, tf->rbx = mc->rbx;
			tf->rdx = mc->rdx, tf->rax = mc->rax, tf->rcx = mc->rcx;
			tf->rsp = mc->rsp, tf->rip = mc->rip;
			tf->rflags = (tf->rflags & ~RFLAGS_USER_MASK) |
				     (mc->eflags & RFLAGS_USER_MASK);
			tf->cs = SEG_UCODE | 3;
			tf->ss = SEG_UDATA | 3;
			/* Leave through iret: rcx and r11 are real values. */
			tf->vector = 0;
			*mask = frame->uc.sigmask;
			signal_altstack_restore(t, tf->rsp, &frame->uc.stack);
		}
	}
	kfree(frame);
	return r;
}
