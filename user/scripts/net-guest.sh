#!/bin/sh
# The network seen from Debian's busybox: ifconfig, route and ping over
# virtio-net on QEMU's restricted user network (tests/run-qemu --net), and
# /proc/net/dev's counters moving. One PASS/FAIL line per check.
pass=0
fail=0
check() {
	name=$1
	shift
	if "$@"; then
		echo "PASS net.$name"
		pass=$((pass + 1))
	else
		echo "FAIL net.$name: $*"
		fail=$((fail + 1))
	fi
}
has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
# Field $2 (1: rx bytes, 2: rx packets, 9: tx bytes, 10: tx packets) of
# eth0's line in /proc/net/dev.
devstat() { sed -n 's/^ *eth0://p' /proc/net/dev | awk -v f="$1" '{ print $f }'; }

mount -t proc proc /proc
check ifconfig_lo ifconfig lo 127.0.0.1 netmask 255.0.0.0 up
check ifconfig_eth0 ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up
check route_add route add default gw 10.0.2.2
out=$(ifconfig eth0)
echo "$out"
check eth0_addr has "$out" "inet addr:10.0.2.15"
check eth0_mask has "$out" "Mask:255.255.255.0"
check eth0_bcast has "$out" "Bcast:10.0.2.255"
check eth0_hwaddr has "$out" "HWaddr 52:54:00:12:34:56"
check eth0_up has "$out" "UP BROADCAST RUNNING MULTICAST"
check eth0_mtu has "$out" "MTU:1500"
out=$(ifconfig)
check ifconfig_lists_lo has "$out" "inet addr:127.0.0.1"
out=$(route -n)
echo "$out"
check route_default has "$out" "0.0.0.0         10.0.2.2        0.0.0.0         UG"
check route_subnet has "$out" "10.0.2.0        0.0.0.0         255.255.255.0   U"
rx=$(devstat 2)
tx=$(devstat 10)
# QEMU's gateway answers ping even with restrict=on.
check ping_gateway ping -c 2 -W 5 10.0.2.2
out=$(ping -c 1 -W 5 -s 1400 10.0.2.2)
check ping_1400_bytes has "$out" "1408 bytes from 10.0.2.2"
# Past the MTU: fragments both ways.
out=$(ping -c 1 -W 5 -s 4000 10.0.2.2)
check ping_fragmented has "$out" "4008 bytes from 10.0.2.2"
# A TFTP request to the gateway (which serves nothing here, so tftp fails)
# goes out too.
timeout 3 tftp -g -r none -l /tmp/none 10.0.2.2 2>/dev/null
check rx_counted [ "$(devstat 2)" -gt "$rx" ]
check tx_counted [ "$(devstat 10)" -gt "$tx" ]
cat /proc/net/dev /proc/net/arp
check arp_entry grep -q '^10\.0\.2\.2 .* eth0$' /proc/net/arp
check mtu_set ifconfig eth0 mtu 1400
check mtu_read has "$(ifconfig eth0)" "MTU:1400"
check mtu_too_big sh -c '! ifconfig eth0 mtu 9000 2>/dev/null'
check route_del route del default gw 10.0.2.2
check route_gone sh -c '! route -n | grep -q "^0\.0\.0\.0"'
check down ifconfig eth0 down
check down_flags sh -c '! ifconfig eth0 | grep -q " UP "'
check no_such_if sh -c '! ifconfig eth9 2>/dev/null'
# DHCP from QEMU's user network with busybox udhcpc (AF_PACKET sockets)
# and its hook script /etc/udhcpc/default.script. With restrict=on QEMU's
# server offers the address and netmask but no router and no DNS server
# (libslirp's bootp.c leaves them out), so the route and resolv.conf are
# checked by running the hook with the variables udhcpc passes for a full
# lease; the gateway is on the leased subnet, so ping reaches it.
rm -f /etc/resolv.conf
check dhcp_unconfigure ifconfig eth0 0.0.0.0 up
check dhcp_mtu ifconfig eth0 mtu 1500
check dhcp_no_addr sh -c '! ifconfig eth0 | grep -q "inet addr"'
out=$(timeout 120 udhcpc -i eth0 -n -q -t 5 -T 3 2>&1)
echo "$out"
check dhcp_lease has "$out" "lease of 10.0.2.15 obtained from 10.0.2.2"
out=$(ifconfig eth0)
check dhcp_addr has "$out" "inet addr:10.0.2.15"
check dhcp_mask has "$out" "Mask:255.255.255.0"
check dhcp_ping ping -c 1 -W 5 10.0.2.2
check dhcp_hook_bound env interface=eth0 ip=10.0.2.15 subnet=255.255.255.0 \
	broadcast=10.0.2.255 router=10.0.2.2 dns=10.0.2.3 domain=example \
	/etc/udhcpc/default.script bound
out=$(route -n)
echo "$out"
check dhcp_route has "$out" "0.0.0.0         10.0.2.2        0.0.0.0         UG"
cat /etc/resolv.conf
check dhcp_resolv grep -q '^nameserver 10\.0\.2\.3$' /etc/resolv.conf
check dhcp_search grep -q '^search example$' /etc/resolv.conf
check dhcp_ping_route ping -c 1 -W 5 10.0.2.2
# AF_PACKET on the card: ARP to the gateway through raw and datagram
# packet sockets, outgoing and incoming frames seen.
check packet_eth0 /tests/sys_packet eth0
check dhcp_hook_deconfig env interface=eth0 /etc/udhcpc/default.script deconfig
check dhcp_deconfigured sh -c '! ifconfig eth0 | grep -q "inet addr"'
# udhcpc as a daemon: SIGUSR1 renews by unicast from a UDP socket with
# SO_BINDTODEVICE (and listens on another, bound to port 68 on eth0),
# SIGUSR2 releases the lease and deconfigures the interface.
udhcpc -i eth0 -f -n -t 5 -T 3 > /tmp/udhcpc.log 2>&1 &
upid=$!
count() { grep -c "lease of 10.0.2.15 obtained" /tmp/udhcpc.log; }
i=0
while [ $i -lt 60 ] && [ "$(count)" -lt 1 ]; do sleep 1; i=$((i + 1)); done
check dhcp_daemon_bound [ "$(count)" -eq 1 ]
kill -USR1 $upid
i=0
while [ $i -lt 60 ] && [ "$(count)" -lt 2 ]; do sleep 1; i=$((i + 1)); done
check dhcp_renewed [ "$(count)" -eq 2 ]
check dhcp_renew_unicast grep -q "sending renew to server 10.0.2.2" /tmp/udhcpc.log
kill -USR2 $upid
i=0
while [ $i -lt 30 ] && ! grep -q "entering released state" /tmp/udhcpc.log; do
	sleep 1
	i=$((i + 1))
done
check dhcp_released grep -q "entering released state" /tmp/udhcpc.log
check dhcp_release_deconfigured sh -c '! ifconfig eth0 | grep -q "inet addr"'
kill $upid
wait $upid
cat /tmp/udhcpc.log
echo "net-guest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
