#!/usr/bin/env bash
# The trace tool's -j output, checked on the host: the guest traces
# trace_target and prints the JSON; python3 must parse it as Chrome Trace
# Event JSON with user and kernel slices on the traced thread, nested
# within each other's time as Perfetto expects.
# usage: tests/trace-json.sh INITRD
set -uo pipefail
initrd=$1
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log=$root/build/test-logs/trace-json.log
"$root/tests/run-qemu" --name trace-json --initrd "$initrd" --timeout 120 --expect-lines 0 \
	--append "console=ttyS0 rdinit=/bin/sh -- /tests/trace-json.sh" \
	--expect-text "trace exit status 3" \
	--expect-text "limen: init \(pid 1\) exited with status 0" || exit 1
sed -n '/--- BEGIN TRACE JSON ---/,/--- END TRACE JSON ---/p' "$log" |
	sed '1d;$d' | tr -d '\r' > "$root/build/trace.json"
python3 - "$root/build/trace.json" <<'PY'
import json, sys
ok = True
def check(name, cond, why=""):
    global ok
    print(("PASS " if cond else "FAIL ") + "trace_json." + name +
          ("" if cond else ": " + why))
    ok = ok and cond
try:
    doc = json.load(open(sys.argv[1]))
except Exception as e:
    check("parses", False, str(e))
    sys.exit(1)
check("parses", True)
ev = doc.get("traceEvents", [])
x = [e for e in ev if e.get("ph") == "X"]
user = [e for e in x if e.get("cat") == "user"]
kern = [e for e in x if e.get("cat") == "kernel"]
check("user_slices", len(user) >= 5, "%d user slices" % len(user))
check("kernel_slices", len(kern) >= 10, "%d kernel slices" % len(kern))
names = {e["name"] for e in kern}
for want in ("getppid", "write", "openat", "close", "page fault"):
    check("has_" + want.replace(" ", "_"), want in names, str(sorted(names)))
check("fields", all(isinstance(e["ts"], (int, float)) and e["dur"] >= 0
                    and "pid" in e and "tid" in e for e in x), "bad slice")
# On one thread, user and syscall slices never overlap: each crossing
# ends one and starts the other.
tid = user[0]["tid"] if user else None
seq = sorted((e for e in x if e["tid"] == tid and
              (e["cat"] == "user" or e["name"] != "page fault" and
               not e["name"].startswith("irq"))), key=lambda e: e["ts"])
overlap = [(a["name"], b["name"]) for a, b in zip(seq, seq[1:])
           if a["ts"] + a["dur"] > b["ts"] + 0.0015]
check("no_overlap", not overlap, str(overlap[:3]))
meta = [e for e in ev if e.get("ph") == "M" and e.get("name") == "process_name"]
check("process_name", any(e["args"]["name"] == "/tests/trace_target"
                          for e in meta), str(meta))
sys.exit(0 if ok else 1)
PY
