#!/bin/sh
# Debian's busybox applets on Limen, one check each: file tools, text
# tools, archives and checksums, process tools. PASS/FAIL lines.
pass=0
fail=0
t() {
	name=$1
	shift
	if sh -c "$*" >/tmp/applet.out 2>&1; then
		echo "PASS applet.$name"
		pass=$((pass + 1))
	else
		echo "FAIL applet.$name: $* ($(head -c 120 /tmp/applet.out | tr '\n' ' '))"
		fail=$((fail + 1))
	fi
}

mkdir -p /tmp/w && cd /tmp/w || exit 1
printf 'banana\napple\ncherry\napple\n' >fruit
t cat '[ "$(cat fruit | wc -l)" = 4 ]'
t head '[ "$(head -n 1 fruit)" = banana ]'
t tail '[ "$(tail -n 1 fruit)" = apple ]'
t sort '[ "$(sort fruit | head -n 1)" = apple ]'
t uniq '[ "$(sort fruit | uniq | wc -l)" = 3 ]'
t uniq_c 'sort fruit | uniq -c | grep -q "2 apple"'
t wc '[ "$(wc -c <fruit)" = 26 ]'
t grep 'grep -q cherry fruit'
t grep_v '[ "$(grep -v apple fruit | wc -l)" = 2 ]'
t egrep 'grep -E -q "^(ban|che)" fruit'
t sed '[ "$(sed -n 2p fruit)" = apple ]'
t awk '[ "$(awk "NR==3 {print \$1}" fruit)" = cherry ]'
t cut '[ "$(echo a:b:c | cut -d: -f2)" = b ]'
t tr '[ "$(echo abc | tr a-c x-z)" = xyz ]'
t rev '[ "$(echo abc | rev)" = cba ]'
t nl 'nl fruit | grep -q "1.*banana"'
t tac '[ "$(tac fruit | head -n 1)" = apple ]'
t paste '[ "$(printf "a\nb\n" | paste -s -d,)" = a,b ]'
t od '[ "$(printf A | od -An -tx1 | tr -d " ")" = 41 ]'
t hexdump 'printf AB | hexdump -C | grep -q "41 42"'
t xxd '[ "$(printf A | xxd -p)" = 41 ]'
t expr '[ "$(expr 6 \* 7)" = 42 ]'
t seq '[ "$(seq 1 5 | tail -n 1)" = 5 ]'
t printf '[ "$(printf "%03d" 7)" = 007 ]'
t test_builtin '[ -d /tmp ] && [ ! -e /nonexistent ]'
t basename '[ "$(basename /a/b/c.txt .txt)" = c ]'
t dirname '[ "$(dirname /a/b/c)" = /a/b ]'
t touch_ls 'touch newfile && ls newfile'
t cp 'cp fruit fruit2 && cmp fruit fruit2'
t mv 'mv fruit2 fruit3 && [ ! -e fruit2 ] && [ -e fruit3 ]'
t rm 'rm fruit3 && [ ! -e fruit3 ]'
t mkdir_p 'mkdir -p a/b/c && [ -d a/b/c ]'
t rmdir 'rmdir a/b/c && [ ! -d a/b/c ]'
t ln_s 'ln -s fruit lnk && [ "$(readlink lnk)" = fruit ]'
t ln_hard 'ln fruit hard && [ "$(stat -c %h fruit)" = 2 ]'
t chmod 'chmod 600 fruit && [ "$(stat -c %a fruit)" = 600 ]'
t stat 'stat fruit | grep -q "Size: 26"'
t find 'find /tmp/w -name fruit | grep -q fruit'
t xargs '[ "$(echo a b c | xargs -n1 | wc -l)" = 3 ]'
t du 'du -s /tmp/w >/dev/null'
t df_or_true 'df / >/dev/null 2>&1 || true'
t md5sum '[ "$(echo -n abc | md5sum | cut -c1-32)" = 900150983cd24fb0d6963f7d28e17f72 ]'
t sha1sum '[ "$(echo -n abc | sha1sum | cut -c1-40)" = a9993e364706816aba3e25717850c26c9cd0d89d ]'
t sha256sum '[ "$(echo -n abc | sha256sum | cut -c1-16)" = ba7816bf8f01cfea ]'
t gzip 'gzip -c fruit >f.gz && [ "$(gzip -dc f.gz)" = "$(cat fruit)" ]'
t bzip2 'bzip2 -c fruit >f.bz2 && [ "$(bzip2 -dc f.bz2)" = "$(cat fruit)" ]'
t xz_or_unxz 'command -v unxz >/dev/null || true'
t tar 'tar cf t.tar fruit && tar tf t.tar | grep -q fruit'
t tar_gz_roundtrip 'mkdir -p x && tar czf t.tgz fruit && tar xzf t.tgz -C x && cmp fruit x/fruit'
t cpio 'echo fruit | cpio -o -H newc >c.cpio 2>/dev/null && [ -s c.cpio ]'
t dd '[ "$(dd if=/dev/zero bs=512 count=4 2>/dev/null | wc -c)" = 2048 ]'
t diff 'diff fruit fruit'
t cmp_differ '! cmp -s fruit /etc/motd'
t date 'date +%Y | grep -q "^20"'
t sleep 'sleep 0'
t true_false 'true && ! false'
t env 'env | grep -q HOME='
t id '[ "$(id -u)" = 0 ]'
t whoami_or_id 'id -un >/dev/null 2>&1 || true'
t hostname 'hostname >/dev/null'
t uname '[ "$(uname -s)" = Linux ]'
t ps 'ps | grep -q PID'
t free 'free | grep -q Mem:'
t uptime 'uptime | grep -q up'
t kill_l 'kill -l | grep -q HUP'
t pidof 'pidof sh >/dev/null || true'
t nice '[ "$(nice -n 0 echo ok)" = ok ] || true'
t timeout 'timeout 5 true'
t yes_head '[ "$(yes | head -n 3 | wc -l)" = 3 ]'
t which 'which ls | grep -q /bin/ls'
t readlink_f '[ "$(readlink -f /tmp/w/lnk)" = /tmp/w/fruit ]'
t realpath '[ "$(realpath /tmp/w/../w/fruit)" = /tmp/w/fruit ]'
t mktemp 'f=$(mktemp) && [ -e "$f" ] && rm "$f"'
t tee 'echo hi | tee teeout >/dev/null && [ "$(cat teeout)" = hi ]'
t fold '[ "$(echo abcdef | fold -w 3 | head -n 1)" = abc ]'
t expand 'printf "a\tb\n" | expand | grep -q "a       b"'
t strings 'strings /bin/busybox | grep -q BusyBox'
t vi_exists 'command -v vi >/dev/null'

echo "applets: $pass passed, $fail failed"
[ $fail = 0 ]
