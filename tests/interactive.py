#!/usr/bin/env python3
"""Types at an interactive busybox shell on Limen's serial console and checks
what a user would see: command output, ^C interrupting the foreground job,
^Z stopping it and fg resuming it, the kernel's canonical-mode line editing
(erase, ^H, kill, word-erase), ^D as end of file, and ^D leaving the shell.

The shell runs under user/scripts/interactive-init.sh (setsid -c sh), so the
console is its controlling terminal. QEMU's serial port is this script's pipe
to QEMU's stdio. Every wait has a timeout and the whole run has one; nothing
depends on speed (waits are for text, never for time). Every timeout is
multiplied by tests/time-factor.sh's factor (LIMEN_TIME_FACTOR, host load),
as tests/run-qemu's are. One PASS/FAIL line per check, as the other layers
print; exit status 1 on any failure.

With --disk IMG it is `make run`'s session instead: the kernel mounts the
ext2 disk as root (root=/dev/vda rw), busybox init runs /etc/inittab and
puts getty on ttyS0. It logs in as root (password "root", tools/mkrootfs)
and checks the Limen prompt, ^C on sleep, a file written and `poweroff`,
then (host side) e2fsck -fn on the image and that a second boot still has
the file.

With --disk IMG --login it is a session of the ordinary user: log in as
limen, `id`, `whoami`, `groups`, /etc/shadow refused, `su` with a wrong
password and with root's, `su - limen`, `passwd` to a new password, log
out to a fresh login prompt, the old password refused and the new one
taken, and again after a reboot; host side, e2fsck -fn and the limen hash
in the image's /etc/shadow changed (and matching the new password).

With --disk IMG --accounts it is Debian's account tools (tools/mkrootfs
copies them with ld.so and their libraries): as root, a dynamically linked
test program, util-linux script on a pty, adduser, addgroup, chpasswd
through PAM, useradd and userdel; the new user logs in with its new
password and may not add users; deluser and delgroup; host side, e2fsck
-fn and /etc/passwd on the image.

usage: tests/interactive.py [--kernel FILE] [--initrd FILE]
                            [--disk IMG [--login | --accounts]]
                            [--timeout SEC] [--log FILE]
Python 3 standard library only.
"""
import argparse
import os
import re
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# busybox's line editor follows its prompt with a cursor-position query.
ESC = r"(\x1b\[[0-9;]*[A-Za-z])*"
PROMPT = r"limen\$ " + ESC + "$"


def time_factor():
    """tests/time-factor.sh's factor for every time limit here."""
    out = subprocess.run([os.path.join(ROOT, "tests/time-factor.sh")],
                         stdout=subprocess.PIPE, check=True)
    return float(out.stdout)


TIME_FACTOR = 1.0


class Guest:
    def __init__(self, cmd, log):
        self.buf = b""
        self.mark = 0
        self.cond = threading.Condition()
        self.log = open(log, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.eof = False
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        while True:
            data = os.read(self.proc.stdout.fileno(), 4096)
            with self.cond:
                if not data:
                    self.eof = True
                    self.cond.notify_all()
                    return
                self.buf += data
                self.log.write(data)
                self.log.flush()
                self.cond.notify_all()

    def send(self, s):
        """Keystrokes, as a terminal sends them (Enter is \\r)."""
        self.proc.stdin.write(s.encode())
        self.proc.stdin.flush()

    def expect(self, regex, timeout):
        """Waits for regex in the output since the last match; the match
        or None after timeout seconds (times the time factor)."""
        pat = re.compile(regex.encode(), re.M)
        end = time.monotonic() + timeout * TIME_FACTOR
        with self.cond:
            while True:
                text = self.buf[self.mark:].replace(b"\r", b"")
                m = pat.search(text)
                if m:
                    # Advance past the match, counted in the raw buffer.
                    raw, seen = self.mark, 0
                    while seen < m.end():
                        if self.buf[raw] != 13:
                            seen += 1
                        raw += 1
                    self.mark = raw
                    return m
                left = end - time.monotonic()
                if left <= 0 or self.eof:
                    return None
                self.cond.wait(min(left, 1.0))

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.log.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build/kernel"))
    ap.add_argument("--initrd",
                    default=os.path.join(ROOT, "build/initramfs.cpio"))
    ap.add_argument("--disk", help="boot this ext2 root disk (make run)")
    ap.add_argument("--login", action="store_true",
                    help="with --disk: the ordinary user's login session")
    ap.add_argument("--accounts", action="store_true",
                    help="with --disk: Debian's account tools, as root")
    ap.add_argument("--timeout", type=float, default=600,
                    help="seconds for the whole run")
    ap.add_argument("--log",
                    default=os.path.join(ROOT, "build/test-logs/interactive.log"))
    a = ap.parse_args()
    global TIME_FACTOR
    TIME_FACTOR = time_factor()
    a.timeout *= TIME_FACTOR
    os.makedirs(os.path.dirname(a.log), exist_ok=True)
    if a.disk and a.login:
        return login_session(a)
    if a.disk and a.accounts:
        return accounts_session(a)
    if a.disk:
        return disk_session(a)
    qemu = os.environ.get("QEMU", "qemu-system-x86_64")
    cmd = [qemu, "-accel", os.environ.get("ACCEL", "tcg"), "-cpu", "max",
           "-m", "256M", "-smp", "1", "-display", "none", "-serial", "stdio",
           "-monitor", "none", "-parallel", "none", "-no-reboot",
           "-kernel", a.kernel, "-initrd", a.initrd, "-append",
           "console=ttyS0 rdinit=/bin/sh -- /tests/interactive-init.sh"]
    g = Guest(cmd, a.log)
    # The whole run cannot outlive its timeout, whatever a step waits for.
    watchdog = threading.Timer(a.timeout, g.proc.kill)
    watchdog.start()
    failed = []

    def check(name, ok, why=""):
        if ok:
            print("PASS interactive.%s" % name, flush=True)
        else:
            print("FAIL interactive.%s: %s" % (name, why), flush=True)
            failed.append(name)
        return ok

    def run(cmd, want, name, timeout=120):
        g.send(cmd + "\r")
        return check(name, g.expect(want, timeout),
                     "no %r after typing %r" % (want, cmd))

    def interrupt(name, key="\x03", tries=12):
        """Sends key until the prompt is back (a retry covers a key typed
        before the job took the terminal; a broken ^C never succeeds, as
        the job sleeps far longer than all the tries)."""
        for _ in range(tries):
            g.send(key)
            if g.expect(PROMPT, 10):
                return check(name, True)
        return check(name, False, "no prompt after %r" % key)

    try:
        steps_ok = (
            check("boot_prompt", g.expect(r"# " + ESC + "$", 240), "no shell prompt")
            and run("PS1='limen''$ '", PROMPT, "set_prompt")
            and run("case $- in *m*) echo job""control=on;; esac",
                    r"^jobcontrol=on$", "job_control_on")
            and run("echo hel''lo", r"^hello$", "echo")
            and g.expect(PROMPT, 60) is not None
            # ^C: the job prints its marker once it owns the terminal.
            and run("sh -c 'echo sta\"\"rted; exec sleep 1000'",
                    r"^started$", "sleep_started")
            and interrupt("ctrl_c_interrupts_sleep")
            and run("echo st''atus=$?", r"^status=130$", "sleep_killed_by_sigint")
            and g.expect(PROMPT, 60) is not None
            # ^Z stops the job; fg continues it in the foreground.
            and run("sh -c 'echo sto\"\"ppable; exec sleep 1000'",
                    r"^stoppable$", "stoppable_started")
            and (g.send("\x1a") or True)
            and check("ctrl_z_stops", g.expect(r"Stopped", 120),
                      "no 'Stopped' after ^Z")
            and g.expect(PROMPT, 60) is not None
            and run("fg", r"sleep 1000", "fg")
            and interrupt("ctrl_c_after_fg")
            # The kernel's canonical editing, seen by the read builtin:
            # ^U kills "junk", DEL erases X, ^W erases "zz", ^H erases Y.
            and run("echo rea''dy; read x", r"^ready$", "read_started")
            and (g.send("junk\x15abX\x7fc zz\x17dY\x08\r") or True)
            and g.expect(PROMPT, 60) is not None
            and run("echo \"[$x]\"", r"^\[abc d\]$", "canonical_editing")
            # ^D at the start of a line is end of file for cat.
            and run("echo ca''t; cat", r"^cat$", "cat_started")
            and (g.send("meow\r") or True)
            and check("cat_echo_and_copy", g.expect(r"meow\n(.*\n)?meow\n", 60),
                      "cat did not copy the line")
            and (g.send("\x04") or True)
            and check("ctrl_d_ends_cat", g.expect(PROMPT, 60),
                      "no prompt after ^D")
            and run("echo c''at=$?", r"^cat=0$", "cat_status")
            and g.expect(PROMPT, 60) is not None
            # ^D at an empty prompt leaves the shell; init says so.
            and (g.send("\x04") or True)
            and check("ctrl_d_exits_shell",
                      g.expect(r"interactive shell exited with status 0", 60),
                      "shell did not exit on ^D")
            and check("power_off", g.expect(r"limen: power off", 60),
                      "no power off")
        )
        if not steps_ok and not failed:
            check("prompt", False, "no prompt where one was expected")
    finally:
        watchdog.cancel()
        g.close()
    text = g.buf.replace(b"\r", b"").decode("utf-8", "replace")
    check("no_panic", "Kernel panic" not in text, "kernel panic")
    if failed:
        sys.stderr.write("---- interactive: last 30 lines of %s ----\n" % a.log)
        for line in text.splitlines()[-30:]:
            sys.stderr.write("  | %s\n" % line)
    return 1 if failed else 0


DISK_PROMPT = r"limen:[^\n]*# " + ESC + "$"
USER_PROMPT = r"limen:[^\n]*\$ " + ESC + "$"
LOGIN_PROMPT = r"^limen login: $"
# tools/mkrootfs's accounts.
ROOT_PASSWORD = "root"
USER_PASSWORD = "limen"


def log_in(g, check, name, user, password, prompt, timeout=120):
    """At getty's prompt: the name, then login's password prompt."""
    if not check(name + "_login_prompt", g.expect(LOGIN_PROMPT, timeout),
                 "no login prompt"):
        return False
    g.send(user + "\r")
    if not check(name + "_password_prompt", g.expect(r"Password: $", 120),
                 "no password prompt after the name"):
        return False
    g.send(password + "\r")
    return check(name + "_shell", g.expect(prompt, 120),
                 "no shell prompt after logging in as %s" % user)


def boot_disk(a, log):
    qemu = os.environ.get("QEMU", "qemu-system-x86_64")
    cmd = [qemu, "-accel", os.environ.get("ACCEL", "tcg"), "-cpu", "max",
           "-m", "256M", "-smp", "1", "-display", "none", "-serial", "stdio",
           "-monitor", "none", "-parallel", "none", "-no-reboot",
           "-kernel", a.kernel,
           "-drive", "file=%s,if=virtio,format=raw" % a.disk,
           "-append", "console=ttyS0 root=/dev/vda rw"]
    return Guest(cmd, log)


def host(cmd):
    env = dict(os.environ)
    env["PATH"] = env.get("PATH", "") + ":/sbin:/usr/sbin"
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          env=env)


def disk_session(a):
    failed = []

    def check(name, ok, why=""):
        print(("PASS disk-session.%s" % name) if ok else
              ("FAIL disk-session.%s: %s" % (name, why)), flush=True)
        if not ok:
            failed.append(name)
        return ok

    texts = []
    for boot in (1, 2):
        g = boot_disk(a, a.log + ".%d" % boot)
        watchdog = threading.Timer(a.timeout / 2, g.proc.kill)
        watchdog.start()

        def run(cmd, want, name, timeout=120):
            g.send(cmd + "\r")
            return check(name, g.expect(want, timeout),
                         "no %r after typing %r" % (want, cmd))

        def interrupt(name, tries=12):
            for _ in range(tries):
                g.send("\x03")
                if g.expect(DISK_PROMPT, 10):
                    return check(name, True)
            return check(name, False, "no prompt after ^C")

        try:
            ok = log_in(g, check, "boot%d" % boot, "root", ROOT_PASSWORD,
                        DISK_PROMPT, timeout=240)
            if ok and boot == 1:
                ok = (run("grep ' / ' /proc/mounts", r"^/dev/root / ext2 rw",
                          "root_is_ext2")
                      and g.expect(DISK_PROMPT, 60) is not None
                      and run("sh -c 'echo sta\"\"rted; exec sleep 1000'",
                              r"^started$", "sleep_started")
                      and interrupt("ctrl_c_interrupts_sleep")
                      and run("echo kept across power off > /root/persist.txt"
                              "; echo wr''ote", r"^wrote$", "write_file"))
            elif ok:
                ok = (run("cat /root/persist.txt", r"^kept across power off$",
                          "file_survives_reboot")
                      and g.expect(DISK_PROMPT, 60) is not None
                      and run("cd /tmp && trace -T open_example-glibc",
                              r'^openat\(AT_FDCWD, "example.txt", O_RDONLY\)'
                              r" = -1 ENOENT \(No such file or directory\)"
                              r" <0\.\d{6}>", "trace_on_disk"))
            if ok:
                g.expect(DISK_PROMPT, 60)
                g.send("poweroff\r")
                check("boot%d_poweroff" % boot,
                      g.expect(r"limen: power off", 120), "no power off")
        finally:
            watchdog.cancel()
            g.close()
        texts.append(g.buf.decode("utf-8", "replace"))
        r = host(["e2fsck", "-fn", a.disk])
        check("boot%d_e2fsck_clean" % boot, r.returncode == 0,
              r.stdout.decode("utf-8", "replace")[-600:])
        if boot == 1:
            r = host(["debugfs", "-R", "cat /root/persist.txt", a.disk])
            check("debugfs_reads_file",
                  b"kept across power off" in r.stdout, r.stdout[-300:])
    check("no_panic", not any("Kernel panic" in t for t in texts),
          "kernel panic")
    return 1 if failed else 0


NEW_PASSWORD = "Thr3shold-Cr0ssing"


def shadow_hash(img, user):
    """user's password hash in the image's /etc/shadow, read by debugfs."""
    r = host(["debugfs", "-R", "cat /etc/shadow", img])
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        f = line.split(":")
        if len(f) > 2 and f[0] == user:
            return f[1]
    return None


def crypt_matches(password, hashed):
    """True or False, or None when this Python has no crypt module."""
    try:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import crypt
    except ImportError:
        return None
    return crypt.crypt(password, hashed) == hashed


def login_session(a):
    """The ordinary user's session on a fresh root disk, booted twice."""
    failed = []

    def check(name, ok, why=""):
        print(("PASS login-session.%s" % name) if ok else
              ("FAIL login-session.%s: %s" % (name, why)), flush=True)
        if not ok:
            failed.append(name)
        return ok

    old_hash = shadow_hash(a.disk, "limen")
    root_hash = shadow_hash(a.disk, "root")
    check("image_has_sha512_hashes",
          bool(old_hash and old_hash.startswith("$6$") and root_hash
               and root_hash.startswith("$6$")),
          "limen %r root %r" % (old_hash, root_hash))
    texts = []
    for boot in (1, 2):
        g = boot_disk(a, a.log + ".%d" % boot)
        watchdog = threading.Timer(a.timeout / 2, g.proc.kill)
        watchdog.start()

        def run(cmd, want, name, timeout=120):
            g.send(cmd + "\r")
            return check(name, g.expect(want, timeout),
                         "no %r after typing %r" % (want, cmd))

        def answer(prompt, text, name, timeout=120):
            """Waits for prompt (a password question), then types text."""
            ok = check(name, g.expect(prompt, timeout),
                       "no %r" % prompt)
            if ok:
                g.send(text + "\r")
            return ok

        def prompt(p=USER_PROMPT):
            return g.expect(p, 60) is not None

        try:
            if boot == 1:
                ok = (log_in(g, check, "boot1", "limen", USER_PASSWORD,
                             USER_PROMPT, timeout=240)
                      and run("id", r"^uid=1000\(limen\) gid=1000\(limen\) "
                              r"groups=100\(users\),1000\(limen\)$", "id")
                      and prompt()
                      and run("whoami", r"^limen$", "whoami") and prompt()
                      and run("groups", r"^limen users$", "groups") and prompt()
                      and run("pwd; echo home=$HOME", r"^/home/limen\nhome=/home/limen$",
                              "home_and_cwd") and prompt()
                      # busybox is set-user-ID root; it dropped root for sh.
                      and run("grep -e Uid -e Gid /proc/$$/status",
                              r"^Uid:\s+1000\s+1000\s+1000\s+1000\n"
                              r"Gid:\s+1000\s+1000\s+1000\s+1000$",
                              "shell_has_no_root_ids") and prompt()
                      # login gave the user the terminal (fchown, 0600).
                      and run("tty; stat -c 'tty=%u:%g:%a' $(tty)",
                              r"^/dev/ttyS0\ntty=1000:1000:600$",
                              "tty_owned_by_user") and prompt()
                      and run("cat /etc/shadow",
                              r"can't open '/etc/shadow': Permission denied",
                              "shadow_unreadable") and prompt()
                      # su: a wrong password fails, root's gives a root shell.
                      and run("su", r"Password: $", "su_asks")
                      and (g.send("not-the-password\r") or True)
                      and check("su_wrong_password_refused",
                                g.expect(r"su: incorrect password", 120),
                                "no 'incorrect password'")
                      and prompt()
                      and run("echo s''u=$?; id -u", r"^su=1\n1000$",
                              "su_wrong_password_status") and prompt()
                      and run("su", r"Password: $", "su_asks_again")
                      and (g.send(ROOT_PASSWORD + "\r") or True)
                      and check("su_root_shell", g.expect(DISK_PROMPT, 120),
                                "no root prompt after su")
                      and run("id", r"^uid=0\(root\) gid=0\(root\) groups=0\(root\)$",
                              "su_id_root") and prompt(DISK_PROMPT)
                      and run("head -c 5 /etc/shadow; echo", r"^root:$",
                              "root_reads_shadow") and prompt(DISK_PROMPT)
                      # root needs no password to become limen again.
                      and run("su - limen", USER_PROMPT, "su_dash_limen")
                      and run("id -un; pwd", r"^limen\n/home/limen$",
                              "su_dash_limen_id") and prompt()
                      and run("exit", DISK_PROMPT, "exit_to_root")
                      and run("exit", USER_PROMPT, "exit_to_limen")
                      # passwd: a new password, written to /etc/shadow.
                      and run("passwd", r"Old password: $", "passwd_asks_old")
                      and (g.send(USER_PASSWORD + "\r") or True)
                      and answer(r"New password: $", NEW_PASSWORD, "passwd_asks_new")
                      and answer(r"Retype password: $", NEW_PASSWORD,
                                 "passwd_asks_retype")
                      and check("passwd_changed",
                                g.expect(r"password for limen changed", 120),
                                "passwd did not say it changed the password")
                      and prompt()
                      # Log out: init's respawned getty asks again.
                      and (g.send("exit\r") or True)
                      and check("logout_gives_login_prompt",
                                g.expect(LOGIN_PROMPT, 120), "no login prompt")
                      and (g.send("limen\r") or True)
                      and answer(r"Password: $", USER_PASSWORD,
                                 "old_password_asked")
                      and check("old_password_refused",
                                g.expect(r"Login incorrect", 120),
                                "the old password was taken")
                      and log_in(g, check, "new_password", "limen",
                                 NEW_PASSWORD, USER_PROMPT)
                      and run("id -un", r"^limen$", "new_password_id")
                      and prompt()
                      and run("su -c poweroff", r"Password: $", "su_c_asks"))
                if ok:
                    g.send(ROOT_PASSWORD + "\r")
            else:
                # After a reboot: the new password, root's own login.
                ok = (log_in(g, check, "boot2", "limen", NEW_PASSWORD,
                             USER_PROMPT, timeout=240)
                      and run("id -u", r"^1000$", "boot2_id") and prompt()
                      and run("exit", LOGIN_PROMPT, "boot2_logout")
                      and (g.send("root\r") or True)
                      and answer(r"Password: $", ROOT_PASSWORD, "boot2_root")
                      and check("boot2_root_shell", g.expect(DISK_PROMPT, 120),
                                "no root prompt")
                      and run("id -u; pwd", r"^0\n/root$", "boot2_root_id")
                      and prompt(DISK_PROMPT))
                if ok:
                    g.send("poweroff\r")
            if ok:
                check("boot%d_poweroff" % boot,
                      g.expect(r"limen: power off", 120), "no power off")
        finally:
            watchdog.cancel()
            g.close()
        texts.append(g.buf.decode("utf-8", "replace"))
        r = host(["e2fsck", "-fn", a.disk])
        check("boot%d_e2fsck_clean" % boot, r.returncode == 0,
              r.stdout.decode("utf-8", "replace")[-600:])
        if failed:
            break
    new_hash = shadow_hash(a.disk, "limen")
    check("shadow_hash_changed_on_disk",
          bool(new_hash and new_hash != old_hash and new_hash.startswith("$")),
          "limen's hash %r, was %r" % (new_hash, old_hash))
    check("root_hash_kept", shadow_hash(a.disk, "root") == root_hash,
          "root's hash changed")
    if new_hash:
        m = crypt_matches(NEW_PASSWORD, new_hash)
        if m is not None:
            check("shadow_hash_is_new_password", m,
                  "%r is not the new password's" % new_hash)
    check("no_panic", not any("Kernel panic" in t for t in texts),
          "kernel panic")
    if failed:
        text = texts[-1].replace("\r", "") if texts else ""
        sys.stderr.write("---- login-session: last 30 lines ----\n")
        for line in text.splitlines()[-30:]:
            sys.stderr.write("  | %s\n" % line)
    return 1 if failed else 0


NEW_USER_PASSWORD = "Carol-Cr0ssing"


def accounts_session(a):
    """Debian's account tools on a fresh root disk, as root: adduser,
    addgroup, chpasswd (PAM), deluser, useradd/userdel, util-linux script,
    and a dynamically linked test program; the new user logs in with the
    password chpasswd set and cannot add users; host side, e2fsck -fn and
    the accounts file on the image."""
    failed = []

    def check(name, ok, why=""):
        print(("PASS accounts.%s" % name) if ok else
              ("FAIL accounts.%s: %s" % (name, why)), flush=True)
        if not ok:
            failed.append(name)
        return ok

    g = boot_disk(a, a.log)
    watchdog = threading.Timer(a.timeout, g.proc.kill)
    watchdog.start()

    def run(cmd, want, name, timeout=240):
        g.send(cmd + "\r")
        return check(name, g.expect(want, timeout),
                     "no %r after typing %r" % (want, cmd))

    def root():
        return g.expect(DISK_PROMPT, 120) is not None

    def user():
        return g.expect(USER_PROMPT, 120) is not None

    try:
        ok = (log_in(g, check, "root", "root", ROOT_PASSWORD, DISK_PROMPT,
                     timeout=240)
              # ld.so and glibc from the disk: the program's own checks.
              and run("dynamic", r"^dynamic: \d+ passed, 0 failed$",
                      "dynamic_program") and root()
              # script runs its command on a pty slave it names.
              and run("script -q -c 'tty; echo in-scr\"\"ipt' /tmp/ts "
                      ">/dev/null; cat /tmp/ts",
                      r"^/dev/pts/\d+\s*\nin-script", "script_on_pty")
              and root()
              # The system log (busybox syslogd, rcS) has login's line;
              # the kernel's log (syslog(2)) has the boot.
              and run("logread | grep -c \"root login on 'ttyS0'\"",
                      r"^[1-9]$", "syslogd_has_login") and root()
              and run("dmesg | grep -c 'Command line: '", r"^1$",
                      "dmesg_as_root") and root()
              and run("adduser --disabled-password --gecos '' carol; "
                      "echo r''c=$?", r"^rc=0$", "adduser") and root()
              and run("id carol", r"^uid=1001\(carol\) gid=1001\(carol\) "
                      r"groups=1001\(carol\),100\(users\)$", "adduser_id")
              and root()
              and run("stat -c '%U %G %a' /home/carol", r"^carol carol 700$",
                      "adduser_home") and root()
              and run("addgroup staff2 >/dev/null && adduser carol staff2 "
                      ">/dev/null; id -Gn carol", r"^carol users staff2$",
                      "addgroup_and_member") and root()
              and run("echo carol:%s | chpasswd; echo r''c=$?"
                      % NEW_USER_PASSWORD, r"^rc=0$", "chpasswd") and root()
              and run("grep -c '^carol:[$]6[$]' /etc/shadow", r"^1$",
                      "chpasswd_sha512_hash") and root()
              # (userdel -r warns that dave has no mail spool, as on Debian.)
              and run("useradd -m -s /bin/sh dave && ls -d /home/dave && "
                      "userdel -r dave 2>/dev/null; echo r''c=$?; ls /home; "
                      "grep -c dave "
                      "/etc/passwd", r"^/home/dave\nrc=0\ncarol\s+limen\n0$",
                      "useradd_userdel") and root()
              # The new user logs in with the password chpasswd set.
              and (g.send("exit\r") or True)
              and log_in(g, check, "carol", "carol", NEW_USER_PASSWORD,
                         USER_PROMPT)
              and run("id -un; pwd; touch mine; stat -c %U mine",
                      r"^carol\n/home/carol\ncarol$", "carol_session")
              and user()
              and run("/usr/sbin/adduser eve; echo r''c=$?",
                      r"Only root may add a user or group to the system\.\n"
                      r"rc=1$", "adduser_needs_root") and user()
              and run("echo carol:x | /usr/sbin/chpasswd; echo r''c=$?",
                      r"^rc=1$", "chpasswd_needs_root") and user()
              and run("dmesg", r"dmesg: klogctl: Operation not permitted",
                      "dmesg_needs_root") and user()
              and run("logger -t carol hello-from-carol; logread | "
                      "grep -c 'carol: hello-from-carol'", r"^1$",
                      "logger_as_user") and user()
              and (g.send("exit\r") or True)
              and log_in(g, check, "root_again", "root", ROOT_PASSWORD,
                         DISK_PROMPT)
              and run("grep -c '^carol:[$]6[$]' /etc/shadow", r"^1$",
                      "hash_kept") and root()
              # (deluser --remove-home needs Debian's full perl package;
              # the disk has perl-base, so the home goes with rm.)
              and run("deluser carol >/dev/null 2>&1 && "
                      "delgroup staff2 >/dev/null; echo r''c=$?; "
                      "cat /etc/passwd /etc/group /etc/shadow | grep -c "
                      "-e carol -e staff2; rm -r /home/carol; ls /home",
                      r"^rc=0\n0\nlimen$", "deluser_delgroup") and root())
        if ok:
            g.send("poweroff\r")
            check("poweroff", g.expect(r"limen: power off", 120),
                  "no power off")
    finally:
        watchdog.cancel()
        g.close()
    text = g.buf.decode("utf-8", "replace")
    r = host(["e2fsck", "-fn", a.disk])
    check("e2fsck_clean", r.returncode == 0,
          r.stdout.decode("utf-8", "replace")[-600:])
    r = host(["debugfs", "-R", "cat /etc/passwd", a.disk])
    check("passwd_on_disk", b"limen:x:1000" in r.stdout
          and b"carol" not in r.stdout, r.stdout[-300:])
    check("no_panic", "Kernel panic" not in text, "kernel panic")
    if failed:
        sys.stderr.write("---- accounts: last 30 lines ----\n")
        for line in text.replace("\r", "").splitlines()[-30:]:
            sys.stderr.write("  | %s\n" % line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
