#!/usr/bin/env bash
# The bench harness end to end, quickly: tools/bench --quick on Limen only
# (values are not judged, only that every metric came out), and the JSON
# it writes must parse.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build/bench
if "$root/tools/bench" --quick --limen-only > "$out.quick.txt" 2>&1; then
	echo "PASS bench.quick_all_metrics"
else
	echo "FAIL bench.quick_all_metrics: $(tail -3 "$out.quick.txt" | tr '\n' ' ')"
	exit 1
fi
if python3 -m json.tool "$out/results.json" > /dev/null; then
	echo "PASS bench.results_json_parses"
else
	echo "FAIL bench.results_json_parses"
	exit 1
fi
grep -q '<svg' "$out/results.svg" && echo "PASS bench.chart_written" ||
	{ echo "FAIL bench.chart_written"; exit 1; }
