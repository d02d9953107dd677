#!/bin/sh
# busybox nc over 127.0.0.1: a listener sends a file to a client (bytes
# and checksum must match), and a client to a closed port fails. PASS/FAIL
# lines; exit status 0 iff all passed.
pass=0
fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

mkdir -p /tmp/nc && cd /tmp/nc || exit 1
# 1 MiB of varied bytes.
i=0
: >src
while [ $i -lt 64 ]; do
	cat /tests/tcp-nc.sh >>src
	i=$((i + 1))
done
head -c 1048576 /dev/zero | tr '\0' 'x' >>src
busybox nc -l -p 7777 <src &
srv=$!
sleep 1
# stdin stays open (sleep) so the client leaves on the server's FIN.
sleep 5 | busybox nc 127.0.0.1 7777 >dst
wait $srv
a=$(md5sum <src | cut -d' ' -f1)
b=$(md5sum <dst | cut -d' ' -f1)
if [ "$a" = "$b" ] && [ -s dst ]; then
	ok nc.transfer
else
	ko nc.transfer "md5 $a vs $b, $(wc -c <dst) bytes"
fi

if busybox nc -w 2 127.0.0.1 7778 </dev/null >/dev/null 2>&1; then
	ko nc.refused "connected to a closed port"
else
	ok nc.refused
fi

echo "tcp-nc: $pass passed, $fail failed"
[ $fail -eq 0 ]
