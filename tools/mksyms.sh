#!/usr/bin/env bash
# Generates the kernel's embedded symbol table (assembly for .ksyms) from an
# ELF file's text symbols. With no argument, emits an empty table for the
# first link pass.
set -euo pipefail

echo '	.section .note.GNU-stack, "", @progbits'
echo '	.section .ksyms, "a"'
echo '	.p2align 3'
if [ $# -eq 0 ]; then
	printf '\t.globl ksyms_count, ksyms_addrs, ksyms_name_offs, ksyms_names\n'
	printf 'ksyms_count:\n\t.quad 0\nksyms_addrs:\nksyms_name_offs:\nksyms_names:\n\t.byte 0\n'
	exit 0
fi

nm -n --defined-only "$1" | awk 'BEGIN { n = 0 }
$2 ~ /^[tTwW]$/ && $3 !~ /^\.L/ && $3 !~ /^__text_/ {
	addr[n] = $1; name[n] = $3; n++
}
END {
	printf "\t.globl ksyms_count, ksyms_addrs, ksyms_name_offs, ksyms_names\n"
	printf "ksyms_count:\n\t.quad %d\n", n
	printf "ksyms_addrs:\n"
	for (i = 0; i < n; i++) printf "\t.quad 0x%s\n", addr[i]
	printf "ksyms_name_offs:\n"
	off = 0
	for (i = 0; i < n; i++) { printf "\t.long %d\n", off; off += length(name[i]) + 1 }
	printf "ksyms_names:\n"
	for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
}'
