#!/usr/bin/env bash
# The boundary, checked from inside and outside: boots Limen once per
# program with the test initramfs, each program running as init.
#  - user/tests/sys_*, posix_shm and libc_* (musl and glibc): system-call
#    and C-library checks printing PASS/FAIL lines;
#  - the examples, built with glibc (static and static-PIE) and musl, must
#    print exactly what they print on Linux;
#  - Debian's busybox-static runs applets as init.
# usage: tests/guest-suite.sh INITRD EXTRA_INITRD
set -uo pipefail
initrd=$1 with_example=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rq=$root/tests/run-qemu
st=0

for t in "$root"/build/user/tests/sys_* "$root"/build/user/tests/posix_shm* \
	"$root"/build/user/tests/libc_*; do
	n=$(basename "$t")
	"$rq" --name "$n" --initrd "$initrd" --timeout 120 \
		--append "console=ttyS0 rdinit=/tests/$n" \
		--expect-text "limen: init \(pid 1\) exited with status 0" || st=1
done

"$rq" --name shell-basics --initrd "$initrd" --timeout 300 \
	--append "console=ttyS0 rdinit=/bin/sh -- /tests/shell-basics.sh" \
	--expect-text "limen: init \(pid 1\) exited with status 0" || st=1

"$rq" --name applets --initrd "$initrd" --timeout 600 \
	--append "console=ttyS0 rdinit=/bin/sh -- /tests/applets.sh" \
	--expect-text "limen: init \(pid 1\) exited with status 0" || st=1

# NAME | initrd | init and its arguments | regex the console must show
while IFS='|' read -r n rd init want; do
	[ -n "$n" ] || continue
	[ "$rd" = extra ] && rd=$with_example || rd=$initrd
	"$rq" --name "$n" --initrd "$rd" --timeout 60 --expect-lines 0 \
		--append "console=ttyS0 rdinit=$init" \
		--expect-text "$want" || st=1
done <<'CASES'
hello-musl|base|/examples/hello-musl|^hello, world\r?$
hello-glibc|base|/examples/hello-glibc|^hello, world\r?$
hello-glibc-pie|base|/examples/hello-glibc-pie|^hello, world\r?$
open-missing-musl|base|/examples/open_example-musl|^Error opening file: No such file or directory\r?$
open-missing-glibc|base|/examples/open_example-glibc|^Error opening file: No such file or directory\r?$
open-missing-exit|base|/examples/open_example-glibc|init \(pid 1\) exited with status 1
open-present-musl|extra|/examples/open_example-musl|init \(pid 1\) exited with status 0
open-present-glibc|extra|/examples/open_example-glibc-pie|init \(pid 1\) exited with status 0
busybox-echo|base|/bin/busybox -- echo hello from busybox|^hello from busybox\r?$
busybox-cat|base|/bin/busybox -- cat /etc/motd|^Limen test initramfs\r?$
busybox-ls|base|/bin/busybox -- ls -l /|^drwxr-xr-x +[0-9]+ root +root +[0-9]+ .* tests\r?$
busybox-uname|base|/bin/busybox -- uname -sm|^Linux x86_64\r?$
busybox-ping|base|/bin/busybox -- ping -c 3 127.0.0.1|^3 packets transmitted, 3 packets received, 0% packet loss\r?$
init-param|base|/nonexistent init=/examples/hello-glibc|^hello, world\r?$
busybox-poweroff|base|/bin/busybox -- poweroff -f|limen: power off \(reboot\(2\) power off\)
demo-syscost|base|/demo/syscost|^a system call costs about [0-9]+ function calls\r?$
demo-bufcost|base|/demo/bufcost|^buffering is [0-9]+x faster\r?$
demo-badptr|base|/demo/badptr|killed by SIGSEGV: user-mode read of kernel address 0xffffffff80000000 \(page is supervisor-only\)
demo-privop|base|/demo/privop|killed by SIGSEGV: general protection fault: hlt
demo-efault|base|/demo/efault|^write\(1, kernel address 0xffffffff80000000, 16\) = -1, errno 14 \(Bad address\)\r?$
demo-efault-alive|base|/demo/efault|^still running: the kernel said no and nothing broke\r?$
CASES
exit $st
