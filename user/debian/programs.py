"""Debian's python3 on Limen (run by programs.sh as pid 1's child): sockets,
threads, subprocess, files, signals with select, multiprocessing (fork and
POSIX semaphores in /dev/shm) and hashlib's C code. One PASS or FAIL line
per check; exit status 1 if any failed."""
import hashlib
import multiprocessing
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading

failed = 0


def check(name, fn):
    global failed
    try:
        ok, why = fn()
    except Exception as e:  # a check that raises has failed
        ok, why = False, repr(e)
    print(("PASS debian.python_%s" % name) if ok else
          ("FAIL debian.python_%s: %s" % (name, why)), flush=True)
    failed += not ok


def tcp_echo():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()

    def serve():
        c, _ = s.accept()
        c.sendall(c.recv(100).upper())
        c.close()

    t = threading.Thread(target=serve)
    t.start()
    c = socket.create_connection(("127.0.0.1", s.getsockname()[1]))
    c.sendall(b"limen")
    got = c.recv(100)
    t.join()
    return got == b"LIMEN", got


def subprocess_run():
    r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"],
                       capture_output=True)
    return (r.returncode == 3 and r.stdout == b"out\n"
            and r.stderr == b"err\n"), r


def temp_file():
    with tempfile.NamedTemporaryFile() as f:
        f.write(b"x" * 100000)
        f.flush()
        return os.path.getsize(f.name) == 100000, os.path.getsize(f.name)


def alarm_select():
    r, w = os.pipe()
    signal.signal(signal.SIGALRM, lambda *a: os.write(w, b"!"))
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    ready = select.select([r], [], [], 30)[0]
    return ready == [r] and os.read(r, 1) == b"!", ready


def pool():
    with multiprocessing.Pool(2) as p:
        got = p.map(abs, range(-50, 0))
    return got == list(range(50, 0, -1)), got[:3]


def sha256():
    h = hashlib.sha256(b"abc").hexdigest()
    return h.startswith("ba7816bf8f01cfea"), h


print("python", sys.version.split()[0], flush=True)
for name, fn in [("tcp_echo", tcp_echo), ("subprocess", subprocess_run),
                 ("temp_file", temp_file), ("alarm_select", alarm_select),
                 ("multiprocessing_pool", pool), ("sha256", sha256)]:
    check(name, fn)
sys.exit(1 if failed else 0)
