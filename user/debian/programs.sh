#!/bin/sh
# pid 1 (init=) on a root disk that tools/mkrootfs made with Debian's bash,
# coreutils and python3 (MKROOTFS_DEBIAN=1, tests/debian-programs.sh):
# unmodified, dynamically linked programs doing ordinary work. One PASS or
# FAIL line per check; exits 0 only if all passed.
mount -t proc proc /proc
mount -t tmpfs -o mode=1777 tmpfs /tmp
ln -sf /proc/self/fd /dev/fd # as the disk's rcS does
export PATH=/usr/bin:/bin HOME=/root
fail=0
# check NAME COMMAND...: the command (run by bash) must succeed.
check() {
	name=$1
	shift
	if out=$(/bin/bash -c "$*" 2>&1); then
		echo "PASS debian.$name"
	else
		echo "FAIL debian.$name: $(echo "$out" | tail -3 | tr '\n' ' ')"
		fail=1
	fi
}
check bash_language '[ $((6 * 7)) = 42 ] && a=(x y z) && [ ${#a[@]} = 3 ] &&
	[[ limen == l*n ]] && declare -A m=([k]=v) && [ "${m[k]}" = v ]'
check bash_job_control 'sleep 5 & p=$!; kill -TERM $p; wait $p; [ $? = 143 ]'
check bash_process_substitution 'diff <(seq 3) <(printf "1\n2\n3\n")'
check coreutils_pipeline '[ "$(seq 1 20000 | sort -rn | head -1)" = 20000 ]'
check coreutils_files 'cd /tmp && mkdir -p d/e && echo hi > d/e/f &&
	cp -a d d2 && [ "$(cat d2/e/f)" = hi ] && [ "$(stat -c %s d2/e/f)" = 3 ] &&
	find d2 -type f | grep -qx d2/e/f && rm -r d d2'
check tar_gzip 'cd /tmp && tar czf etc.tgz -C / etc && gzip -t etc.tgz &&
	mkdir x && tar xzf etc.tgz -C x && diff -r /etc x/etc && rm -r x etc.tgz'
check sed_grep 'printf "a=1\nb=2\n" | sed -n "s/^b=//p" | grep -qx 2'
check date_env 'TZ=UTC date -d @0 +%Y | grep -qx 1970'
if /usr/bin/python3 /usr/share/limen/programs.py; then :; else fail=1; fi
exit $fail
