#!/usr/bin/env bash
# Writes a compile_commands.json (the clang JSON compilation database, as
# Linux's scripts/clang-tools/gen_compile_commands.py does) for the kernel's
# C files, so clangd and editors know each file's flags.
# usage: tools/gen-compile-commands.sh "COMPILER FLAGS..." FILE.c... > out
set -euo pipefail
cmd=$1
shift
dir=$(pwd)
esc() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' <<<"$1"; }
echo "["
first=1
for f in "$@"; do
	[ $first -eq 1 ] || echo ","
	first=0
	printf '  {"directory": "%s", "file": "%s", "command": "%s -c %s"}' \
		"$(esc "$dir")" "$(esc "$f")" "$(esc "$cmd")" "$(esc "$f")"
done
echo
echo "]"
