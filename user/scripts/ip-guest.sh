#!/bin/sh
# busybox ip over rtnetlink (net/netlink.c, net/rtnetlink.c): Debian's
# busybox configures eth0 on QEMU's restricted user network
# (tests/run-qemu --net) with ip alone and reaches the gateway. One
# PASS/FAIL line per check.
pass=0
fail=0
check() {
	name=$1
	shift
	if "$@"; then
		echo "PASS ip.$name"
		pass=$((pass + 1))
	else
		echo "FAIL ip.$name: $*"
		fail=$((fail + 1))
	fi
}
has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
hasnt() { ! has "$@"; }

mount -t proc proc /proc
out=$(ip link)
echo "$out"
check link_lo has "$out" "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536"
check link_lo_type has "$out" "link/loopback 00:00:00:00:00:00"
check link_eth0 has "$out" "2: eth0: <BROADCAST,MULTICAST> mtu 1500"
check link_eth0_mac has "$out" "link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff"
out=$(ip addr)
echo "$out"
check addr_lo has "$out" "inet 127.0.0.1/8 scope host lo"
check addr_eth0_none hasnt "$out" "scope global eth0"
check link_up ip link set eth0 up
check link_up_flags has "$(ip link show eth0)" "<BROADCAST,MULTICAST,UP,LOWER_UP>"
check link_down ip link set eth0 down
check link_down_flags has "$(ip link show eth0)" "eth0: <BROADCAST,MULTICAST> mtu"
check link_up_again ip link set eth0 up
check link_mtu ip link set eth0 mtu 1400
check link_mtu_read has "$(ip link show eth0)" "mtu 1400"
check link_mtu_big sh -c '! ip link set eth0 mtu 9000 2>/dev/null'
ip link set eth0 mtu 1500
check addr_add ip addr add 10.0.2.15/24 dev eth0
out=$(ip addr show dev eth0)
echo "$out"
# The broadcast is always the subnet's here (Linux shows none unless
# asked for).
check addr_shown has "$out" "inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0"
check addr_exists sh -c '! ip addr add 10.0.2.15/24 dev eth0 2>/dev/null'
check addr_del ip addr del 10.0.2.15/24 dev eth0
check addr_gone hasnt "$(ip addr show dev eth0)" "inet 10.0.2.15"
check addr_add_brd ip addr add 10.0.2.15/24 brd + dev eth0
check addr_brd has "$(ip addr show dev eth0)" "inet 10.0.2.15/24 brd 10.0.2.255 scope global eth0"
check route_add ip route add default via 10.0.2.2
out=$(ip route)
echo "$out"
check route_default has "$out" "default via 10.0.2.2 dev eth0"
check route_subnet has "$out" "10.0.2.0/24 dev eth0"
check route_exists sh -c '! ip route add default via 10.0.2.2 2>/dev/null'
check ping_gateway ping -c 1 -W 5 10.0.2.2
out=$(ip neigh)
echo "$out"
check neigh_gateway has "$out" "10.0.2.2 dev eth0 lladdr"
check route_del ip route del default
check route_gone hasnt "$(ip route)" "default"
check route_del_again sh -c '! ip route del default 2>/dev/null'
check addr_flush ip addr flush dev eth0
check addr_flushed hasnt "$(ip addr show dev eth0)" "inet "
check oneline has "$(ip -o link show lo)" "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536"
check no_such_dev sh -c '! ip link set eth9 up 2>/dev/null'
echo "ip-guest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
