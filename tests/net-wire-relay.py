#!/usr/bin/env python3
"""QEMU guestfwd's `cmd:` end for tests/net-wire.py: QEMU starts this once
per guest connection with the connection as stdin/stdout, and it relays the
bytes both ways to a host server at 127.0.0.1:PORT (the test's python3
http.server). Only 127.0.0.1 is ever connected to.
usage: net-wire-relay.py PORT
Python 3 standard library only."""
import os
import socket
import sys
import threading


def main():
    port = int(sys.argv[1])
    # stderr is the guest's connection too: nothing may be printed there.
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    up = socket.create_connection(("127.0.0.1", port))

    def guest_to_host():
        while True:
            data = os.read(0, 65536)
            if not data:
                break
            up.sendall(data)
        try:
            up.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    threading.Thread(target=guest_to_host, daemon=True).start()
    while True:
        data = up.recv(65536)
        if not data:
            break
        view = memoryview(data)
        while view:
            n = os.write(1, view)
            view = view[n:]
    return 0


if __name__ == "__main__":
    sys.exit(main())
