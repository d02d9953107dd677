#!/bin/sh
# Guest side of tests/trace-json.sh: traces trace_target with -j and prints
# the JSON between two marks for the host to parse.
trace -j /tmp/t.json -o /tmp/t.txt /tests/trace_target > /dev/null
echo "trace exit status $?"
echo "--- BEGIN TRACE JSON ---"
cat /tmp/t.json
echo "--- END TRACE JSON ---"
