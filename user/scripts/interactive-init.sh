#!/bin/sh
# pid 1 for tests/interactive.py (and a pleasant `make run`): an interactive
# shell in a session of its own with the console as its controlling
# terminal (busybox setsid -c does TIOCSCTTY on fd 0), so that ^C, ^Z and
# job control work. The shell is not pid 1 itself: Linux (and Limen) treat
# the process groups of init's children as orphaned, which stops job control.
setsid -c sh
echo "interactive shell exited with status $?"
