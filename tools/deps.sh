#!/usr/bin/env bash
# Checks that the Debian packages Limen needs to build and test are installed,
# and installs the missing ones when it may (root or passwordless sudo).
# Usage: tools/deps.sh [--bench]   (--bench adds Debian's Linux kernel image)
set -euo pipefail

# qemu-system-x86 already depends on qemu-system-data (pvh.bin,
# linuxboot_dma.bin, multiboot_dma.bin), seabios (bios-256k.bin) and
# ipxe-qemu; they are listed so that the check also catches a half-removed
# install. coreutils gives timeout(1), mawk/sed/grep are in the base system.
# python3 (standard library only) drives tests/interactive.py. sparse is
# `make check` (the __user address space), a make test layer. tmux is the
# terminal emulator tests/screen-session.py drives full-screen programs in.
# curl and apache2-utils (ab) are the host's clients of busybox httpd in
# Limen in tests/net-wire.sh (a download checked byte for byte, and load).
# tools/mkrootfs copies Debian's account tools onto the root disk with the
# libraries ldd (libc-bin) names: passwd (useradd, chpasswd...), adduser
# with perl-base, bsdutils (script), libpam-modules (pam_unix); and for
# tests/debian-programs.sh, bash, GNU coreutils and friends, and python3's
# standard library (libpython3.11-stdlib comes with python3).
pkgs=(
	gcc make binutils libc6-dev
	musl-tools
	qemu-system-x86 qemu-system-data seabios ipxe-qemu
	busybox-static e2fsprogs cpio
	python3
	gdb
	sparse
	tmux
	curl apache2-utils
	libc-bin passwd adduser perl-base bsdutils libpam-modules
	bash coreutils tar gzip sed grep findutils diffutils
)

for arg in "$@"; do
	case "$arg" in
	--bench) pkgs+=(linux-image-amd64) ;;
	-h | --help)
		echo "usage: $0 [--bench]"
		exit 0
		;;
	*)
		echo "$0: unknown argument: $arg" >&2
		exit 2
		;;
	esac
done

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"

if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
else
	echo "deps: missing packages: ${missing[*]}" >&2
	echo "deps: install them as root with:" >&2
	echo "  $install_cmd" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -q >&2
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2

# Verify: a package that apt could not provide must not pass silently.
still=()
for p in "${missing[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || still+=("$p")
done
if [ ${#still[@]} -ne 0 ]; then
	echo "deps: still missing after install: ${still[*]}" >&2
	exit 1
fi
