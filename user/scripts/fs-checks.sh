#!/bin/sh
# File-system behaviour seen from busybox, on the directory given (an ext2
# disk or a tmpfs). One PASS/FAIL line per check, prefixed with the tag.
# usage: fs-checks.sh DIR TAG [BIGMB]
d=$1
tag=$2
bigmb=${3:-12}
pass=0
fail=0
check() {
	name=$1
	shift
	if "$@"; then
		echo "PASS $tag.$name"
		pass=$((pass + 1))
	else
		echo "FAIL $tag.$name: $*"
		fail=$((fail + 1))
	fi
}
errno_is() { # errno_is TEXT CMD...: CMD fails and says TEXT
	out=$("$@" 2>&1) && return 1
	case $out in *"$1"*) return 0 ;; esac
	echo "  (got: $out)"
	return 1
}

cd "$d" || exit 1
# create, write, read, append, truncate
echo "first line" > f
check create_read [ "$(cat f)" = "first line" ]
echo "second line" >> f
check append [ "$(wc -l < f)" = 2 ]
check size_after_append [ "$(stat -c %s f)" = 23 ]
: > f
check truncate_o_trunc [ "$(stat -c %s f)" = 0 ]
printf 'abcdefghij' > t
truncate -s 4 t
check truncate_shrink [ "$(cat t)" = abcd ]
truncate -s 8192 t
check truncate_grow_size [ "$(stat -c %s t)" = 8192 ]
check truncate_grow_zeros [ "$(tail -c 4096 t | tr -d '\0' | wc -c)" = 0 ]
# sparse file: a hole costs no blocks
dd if=/dev/zero of=sparse bs=1 count=1 seek=8000000 2>/dev/null
check sparse_size [ "$(stat -c %s sparse)" = 8000001 ]
check sparse_blocks [ "$(stat -c %b sparse)" -lt 64 ]
# rename
echo moved > a
mkdir -p sub1 sub2
mv a sub1/b
check rename_across_dirs [ "$(cat sub1/b)" = moved ] && [ ! -e a ]
echo old > sub2/victim
mv sub1/b sub2/victim
check rename_replaces [ "$(cat sub2/victim)" = moved ]
mkdir -p dira/inner dirb
check rename_dir_over_nonempty errno_is "empty" mv -T dirb dira
mv dira dirc
check rename_dir [ -d dirc/inner ] && [ ! -e dira ]
check rename_into_itself errno_is "nvalid" mv dirc dirc/inner/x
# links
echo shared > h1
ln h1 h2
check hardlink_count [ "$(stat -c %h h1)" = 2 ]
rm h1
check hardlink_survives [ "$(cat h2)" = shared ] && [ "$(stat -c %h h2)" = 1 ]
ln -s h2 s1
check symlink_read [ "$(cat s1)" = shared ] && [ "$(readlink s1)" = h2 ]
long=$(printf 'x%.0s' $(seq 1 100))
ln -s "$long/target" s2
check symlink_long [ "$(readlink s2)" = "$long/target" ]
ln -s loop1 loop2
ln -s loop2 loop1
check symlink_loop errno_is "symbolic links" cat loop1
# directories
mkdir dd
n0=$(stat -c %h .)
mkdir dd2
check mkdir_parent_links [ "$(stat -c %h .)" = $((n0 + 1)) ]
touch dd/x
check rmdir_not_empty errno_is "empty" rmdir dd
rm dd/x
rmdir dd dd2
check rmdir [ ! -e dd ]
check rmdir_not_dir errno_is "directory" rmdir h2
# permissions: a user may not read a 0600 root file or write a root dir
echo secret > priv
chmod 600 priv
check chmod [ "$(stat -c %a priv)" = 600 ]
check perm_read_denied errno_is "denied" su -s /bin/sh nobody -c "cat $d/priv"
mkdir -p rootdir
chmod 755 rootdir
check perm_create_denied errno_is "denied" su -s /bin/sh nobody -c "touch $d/rootdir/x"
chown 65534:65534 rootdir
check chown [ "$(stat -c %u:%g rootdir)" = 65534:65534 ]
check perm_create_as_owner su -s /bin/sh nobody -c "touch $d/rootdir/x"
touch -d "2001-02-03 04:05:06" h2
check utimes [ "$(stat -c %Y h2)" = "$(date -d "2001-02-03 04:05:06" +%s)" ]
# a file larger than the block cache round-trips byte for byte
dd if=/dev/urandom of=/tmp/src.$$ bs=1M count="$bigmb" 2>/dev/null
cp /tmp/src.$$ big
sync
check big_file_checksum [ "$(md5sum < big)" = "$(md5sum < /tmp/src.$$)" ]
# On a disk larger than the cache, blocks must have been evicted.
[ "$bigmb" -ge 40 ] && check big_file_evicted \
	[ "$(awk '$1 == "evictions" { print $2 }' /proc/limen/bcache)" -gt 0 ]
rm -f /tmp/src.$$
# 2000 small files in one directory
mkdir many
i=0
while [ $i -lt 2000 ]; do
	echo $i > many/f$i
	i=$((i + 1))
done
check many_files_listed [ "$(ls many | wc -l)" = 2000 ]
check many_files_content [ "$(cat many/f1999)" = 1999 ]
rm -r many
check many_files_removed [ ! -e many ]
# statfs and sync
check statfs [ "$(stat -f -c %b .)" -gt 0 ]
check sync sync
echo "$tag: $pass passed, $fail failed"
[ $fail = 0 ]
