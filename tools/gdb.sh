#!/usr/bin/env bash
# `make gdb`: boots the kernel halted under QEMU's gdb stub (-S, stub on
# localhost:$GDB_PORT) and attaches gdb with the kernel's symbols. QEMU is
# stopped when gdb exits. The serial console goes to $SERIAL_LOG (tail -f it).
# usage: tools/gdb.sh [--initrd FILE] [--disk IMG] [--append "CMDLINE"]
#          [-- extra qemu args...]
# Environment: KERNEL (booted file, default build/kernel), KERNEL_ELF (symbols,
#   default build/kernel.elf, else $KERNEL), GDB_PORT (1234), ACCEL (tcg),
#   SERIAL_LOG (build/gdb-serial.log), GDB (gdb).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kernel=${KERNEL:-$root/build/kernel}
elf=${KERNEL_ELF:-$root/build/kernel.elf}
[ -e "$elf" ] || [ -n "${KERNEL_ELF:-}" ] || elf=$kernel
port=${GDB_PORT:-1234}
accel=${ACCEL:-tcg}
serial_log=${SERIAL_LOG:-$root/build/gdb-serial.log}
initrd=
disk=
append="console=ttyS0"
extra=()

need() { [ $# -ge 2 ] || { echo "$0: $1 needs an argument" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
	case "$1" in
	--initrd) need "$@"; initrd=$2; shift 2 ;;
	--disk) need "$@"; disk=$2; shift 2 ;;
	--append) need "$@"; append=$2; shift 2 ;;
	--) shift; extra+=("$@"); break ;;
	-h | --help) sed -n '5,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
	*) echo "$0: unknown argument: $1" >&2; exit 2 ;;
	esac
done

for f in "$kernel" "$elf" ${initrd:+"$initrd"} ${disk:+"$disk"}; do
	[ -r "$f" ] || { echo "$0: cannot read $f" >&2; exit 1; }
done
mkdir -p "$(dirname "$serial_log")"

# shellcheck disable=SC2054 # commas belong to QEMU option values
cmd=("${QEMU:-qemu-system-x86_64}" -accel "$accel" -cpu max -m 256M -smp 1
	-display none -serial "file:$serial_log" -monitor none -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-gdb "tcp:127.0.0.1:$port" -S
	-kernel "$kernel" -append "$append")
[ -z "$initrd" ] || cmd+=(-initrd "$initrd")
[ -z "$disk" ] || cmd+=(-drive "file=$disk,if=virtio,format=raw")
cmd+=(${extra[@]+"${extra[@]}"})

"${cmd[@]}" </dev/null &
qpid=$!
trap 'kill "$qpid" 2>/dev/null || true; wait "$qpid" 2>/dev/null || true' EXIT

# QEMU listens before it returns from start-up; give it a moment, and stop
# here if it refused the command line.
for _ in 1 2 3 4 5 6 7 8 9 10; do
	sleep 0.2
	kill -0 "$qpid" 2>/dev/null || { echo "$0: QEMU exited early" >&2; exit 1; }
	if command -v ss >/dev/null 2>&1; then
		ss -ltn 2>/dev/null | grep -q "127.0.0.1:$port " && break
	fi
done

echo "gdb: QEMU halted at reset (pid $qpid); serial output: tail -f $serial_log" >&2
# The boot stub runs in 32-bit mode, but qemu-system-x86_64's stub always
# speaks the 64-bit register layout; saying so avoids "g packet too long".
"${GDB:-gdb}" -q "$elf" \
	-ex 'set architecture i386:x86-64' \
	-ex "target remote 127.0.0.1:$port"
