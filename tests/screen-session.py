#!/usr/bin/env python3
"""Full-screen programs on Limen's serial console, driven through a real
terminal emulator: `make run`'s QEMU command (tools/run-qemu-interactive,
serial console on stdio) runs in a detached 80x24 tmux session; keys go in
with `tmux send-keys`, and what a user would see comes back with
`tmux capture-pane -p` (the emulated screen, after tmux has interpreted
every escape sequence). QEMU's raw output is also logged (pipe-pane).

Two users in one boot, as `make run` would see them. Root first: the
login prompt (root, password $LIMEN_ROOT_PW, default "root"), `stty rows
24 cols 80` and `stty size`; busybox vi (insert, Esc, search, x, :w, :q,
the status line); less (first screen, Space, /150, q); more; top (header,
repeated redraws, q); watch -n 1 date (the time changes, ^C); clear;
reset after `stty -echo`; job control (^Z, jobs, fg, ^C); `exit`.
Then the ordinary user (check names "user.*") at getty's fresh prompt:
login as limen (password "limen"), id and home; vi on ~/note.txt as
above, cat, the file owned by limen:limen; top and q; ^Z, jobs, fg;
`su` with root's password (uid 0) and `exit` (uid 1000 again); `passwd`
(old, new, retype); `exit` to a login prompt, the old password refused
("Login incorrect"), the new one taken; `su -c poweroff`. Host side,
after the power-off: e2fsck -fn on the image, and limen's hash in its
/etc/shadow changed. Every checked screen is appended to LOG.screens.

Nothing depends on speed: every wait polls the screen (or the log) with a
timeout of 60 s or more, multiplied by tests/time-factor.sh's factor. One
PASS/FAIL line per check; exit status 1 on any failure.

usage: tests/screen-session.py --disk IMG [--kernel FILE] [--log FILE]
                               [--timeout SEC] [--phases root,user]
Python 3 standard library and tmux.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS, COLS = 24, 80
TF = 1.0
failed = []
# "" for root's checks, "user." for the ordinary user's.
prefix = [""]
# The terminal and a file that gets the screen at every check.
shots = [None, None]


def check(name, ok, why="", screen=None):
    name = prefix[0] + name
    if shots[0] is not None and shots[1] is not None:
        with open(shots[1], "a") as f:
            f.write("==== %s %s ====\n%s\n" % ("PASS" if ok else "FAIL",
                                                name, shots[0].screen()))
    if ok:
        print("PASS screen-session.%s" % name, flush=True)
    else:
        print("FAIL screen-session.%s: %s" % (name, why), flush=True)
        failed.append(name)
        if screen is not None:
            sys.stderr.write("---- screen at the failure ----\n")
            for line in screen.split("\n"):
                sys.stderr.write("  | %s\n" % line)
    return ok


class Term:
    """One tmux server of our own (its own socket, no config file)."""

    def __init__(self, cmd, log):
        self.sock = "limen-screen-%d" % os.getpid()
        self.log = log
        open(log, "wb").close()
        self.tmux("new-session", "-d", "-s", "limen", "-x", str(COLS),
                  "-y", str(ROWS), cmd)
        self.tmux("set-option", "-t", "limen", "remain-on-exit", "on")
        self.tmux("pipe-pane", "-t", "limen", "cat >> '%s'" % log)

    def tmux(self, *args, check=True):
        r = subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"]
                           + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if check and r.returncode != 0:
            raise RuntimeError("tmux %s: %s" % (args[0], r.stderr.decode()))
        return r.stdout.decode("utf-8", "replace")

    def screen(self):
        """The visible 80x24 screen, trailing blanks removed per line."""
        out = self.tmux("capture-pane", "-p", "-t", "limen")
        lines = [l.rstrip() for l in out.split("\n")[:ROWS]]
        return "\n".join(lines)

    def cursor(self):
        x, y = self.tmux("display-message", "-p", "-t", "limen",
                         "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def cursor_line(self):
        x, y = self.tmux("display-message", "-p", "-t", "limen",
                         "#{cursor_x} #{cursor_y}").split()
        lines = self.tmux("capture-pane", "-p", "-t", "limen").split("\n")
        x, y = int(x), int(y)
        # capture-pane drops trailing blanks: put back those before the
        # cursor (a prompt's last space).
        line = lines[y] if y < len(lines) else ""
        return line[:x].ljust(x)

    def dead(self):
        out = self.tmux("display-message", "-p", "-t", "limen",
                        "#{pane_dead} #{pane_dead_status}", check=False)
        parts = out.split()
        return parts[0] == "1" if parts else True

    def raw(self):
        with open(self.log, "rb") as f:
            return f.read()

    def type(self, text):
        """Literal keystrokes."""
        self.tmux("send-keys", "-t", "limen", "-l", text)

    def key(self, *names):
        """Named keys: Enter, Escape, Space, C-c, C-z..."""
        self.tmux("send-keys", "-t", "limen", *names)

    def line(self, text):
        self.type(text)
        self.key("Enter")

    def wait(self, pred, timeout):
        """Polls the screen until pred(screen) is true; returns the screen
        that satisfied it, or None at the timeout."""
        end = time.monotonic() + timeout * TF
        while True:
            s = self.screen()
            if pred(s):
                return s
            if time.monotonic() > end or self.dead():
                return None
            time.sleep(0.3)

    def close(self):
        self.tmux("kill-server", check=False)


def has_line(regex):
    r = re.compile(regex, re.M)
    return lambda s: r.search(s) is not None


def lines_of(s):
    return s.split("\n")


def main():
    global TF
    ap = argparse.ArgumentParser()
    ap.add_argument("--disk", required=True)
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build/kernel"))
    ap.add_argument("--log", default=os.path.join(
        ROOT, "build/test-logs/screen-session.log"))
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--phases", default="root,user",
                    help="root, user or root,user (the default)")
    a = ap.parse_args()
    phases = a.phases.split(",")
    if not phases or any(p not in ("root", "user") for p in phases):
        ap.error("--phases: root, user or root,user")
    TF = float(subprocess.run([os.path.join(ROOT, "tests/time-factor.sh")],
                              stdout=subprocess.PIPE, check=True).stdout)
    os.makedirs(os.path.dirname(a.log), exist_ok=True)
    if subprocess.run(["sh", "-c", "command -v tmux"],
                      stdout=subprocess.DEVNULL).returncode != 0:
        check("tmux", False, "tmux is not installed (tools/deps.sh)")
        return 1

    # `make run`'s command, on a fresh disk.
    cmd = " ".join("'%s'" % w for w in [
        os.path.join(ROOT, "tools/run-qemu-interactive"),
        "--kernel", a.kernel, "--disk", a.disk,
        "--append", "console=ttyS0 root=/dev/vda rw"])
    # A killed run (the harness's timeout) still kills its tmux server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    old_hash = shadow_hash(a.disk, "limen")
    t = Term(cmd, a.log)
    shots[0], shots[1] = t, a.log + ".screens"
    open(shots[1], "w").close()
    start = time.monotonic()
    try:
        session(t, phases)
    except Exception as e:  # a harness error is a failure, not a crash
        check("harness", False, "%s: %s" % (type(e).__name__, e),
              t.screen())
    finally:
        shots[0] = None
        prefix[0] = ""
        t.close()
    raw = t.raw().decode("utf-8", "replace")
    check("no_panic", "Kernel panic" not in raw, "kernel panic (see %s)"
          % a.log)
    env = dict(os.environ, PATH=os.environ.get("PATH", "") +
               ":/sbin:/usr/sbin")
    r = subprocess.run(["e2fsck", "-fn", a.disk], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env)
    check("e2fsck_clean", r.returncode == 0,
          r.stdout.decode("utf-8", "replace")[-600:])
    if "user" in phases:
        # passwd's new hash is on the disk after the power-off.
        new_hash = shadow_hash(a.disk, "limen")
        check("shadow_hash_changed",
              bool(old_hash and new_hash and new_hash != old_hash),
              "limen's hash %r, was %r" % (new_hash, old_hash))
    sys.stderr.write("screen-session: %.0f s\n" % (time.monotonic() - start))
    return 1 if failed else 0


def shadow_hash(img, user):
    """user's password hash in the image's /etc/shadow (debugfs)."""
    env = dict(os.environ, PATH=os.environ.get("PATH", "") +
               ":/sbin:/usr/sbin")
    r = subprocess.run(["debugfs", "-R", "cat /etc/shadow", img],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       env=env)
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        f = line.split(":")
        if len(f) > 2 and f[0] == user:
            return f[1]
    return None


PROMPT_RE = re.compile(r"[#$] $")
seq_no = [0]


def at_prompt(t):
    return PROMPT_RE.search(t.cursor_line()) is not None


def sync(t, name, timeout=120):
    """Types a unique echo and waits for its output and a prompt after it:
    the shell has finished whatever came before."""
    seq_no[0] += 1
    tag = "SYNC%d" % seq_no[0]
    t.line("echo SY''NC%d" % seq_no[0])
    end = time.monotonic() + timeout * TF
    while time.monotonic() < end and not t.dead():
        s = t.screen()
        # (With stty -echo the output follows the prompt on its line.)
        if re.search("%s$" % tag, s, re.M) and at_prompt(t):
            return True
        time.sleep(0.3)
    return check(name, False, "no shell prompt (no %s echoed)" % tag,
                 t.screen())


def login(t):
    """Waits for a shell prompt, logging in as root first if asked."""
    pw = ROOT_PW  # README's root password
    end = time.monotonic() + 300 * TF
    logged = False
    while time.monotonic() < end and not t.dead():
        cur = t.cursor_line()
        if re.search(r"login: ?$", cur) and not logged:
            t.line("root")
            s = t.wait(lambda s: re.search(r"[Pp]assword: ?$",
                                           t.cursor_line()), 120)
            if s is None:
                return check("login", False, "no Password: prompt",
                             t.screen())
            t.line(pw)
            logged = True
        elif PROMPT_RE.search(cur):
            return check("login", True)
        time.sleep(0.5)
    return check("login", False, "no login or shell prompt", t.screen())


def numbers_on(s):
    """The lines of a paged `seq` that are whole numbers, in order."""
    return [int(l) for l in lines_of(s) if re.fullmatch(r"\d+", l)]


def consecutive(ns):
    return len(ns) > 1 and ns == list(range(ns[0], ns[0] + len(ns)))


def session(t, phases):
    if "root" in phases:
        if not login(t):
            return
        if not root_phase(t):
            return
    if "user" in phases:
        prefix[0] = "user."
        if "root" in phases:
            # Log out: init's fresh getty asks again.
            t.line("exit")
        if not user_login(t, "limen", USER_PW, "login"):
            return
        if not user_phase(t):
            return
        poweroff(t, su=True)
    else:
        poweroff(t)


def root_phase(t):
    """Root's session; True if it ends at a shell prompt."""
    if not sync(t, "first_sync"):
        return False

    # Window size: the serial line cannot tell the guest the emulator's
    # size, so it is set as on a real serial console.
    # (Limen's console starts at 24x80: go through another size first.)
    t.line("stty rows 30 cols 100; stty size")
    check("stty_size_other", t.wait(has_line(r"^30 100$"), 60),
          "stty size did not say 30 100", t.screen())
    sync(t, "after_stty_other")
    t.line("stty rows %d cols %d; stty size" % (ROWS, COLS))
    check("stty_size", t.wait(has_line(r"^%d %d$" % (ROWS, COLS)), 60),
          "stty size did not say %d %d" % (ROWS, COLS), t.screen())
    sync(t, "after_stty")

    vi_session(t, "/root/note.txt")
    vi_winch(t)
    less_more(t)
    top(t)
    watch(t)
    clear_reset(t)
    job_control(t)
    return sync(t, "root_done")


def poweroff(t, su=False):
    """poweroff (through su, root's password, for the ordinary user):
    QEMU exits, the pane dies."""
    if not sync(t, "before_poweroff"):
        return
    if su:
        t.line("su -c poweroff")
        if not answer(t, r"[Pp]assword: ?$", ROOT_PW, "poweroff_su_asks"):
            return
    else:
        t.line("poweroff")
    end = time.monotonic() + 180 * TF
    while time.monotonic() < end and not t.dead():
        time.sleep(0.5)
    check("poweroff", t.dead() and b"limen: power off" in t.raw(),
          "QEMU did not exit with a power off", t.screen())


# tools/mkrootfs's accounts (docs/users.md), and the ordinary user's
# password after passwd.
ROOT_PW = os.environ.get("LIMEN_ROOT_PW", "root")
USER_PW = "limen"
NEW_PW = "Thr3shold-Cr0ssing"
USER_PROMPT_RE = re.compile(r"^limen:\S*\$ $")
ROOT_PROMPT_RE = re.compile(r"^limen:\S*# $")


def answer(t, prompt, text, name, timeout=120):
    """Waits until the cursor line ends in prompt (a password question,
    so nothing typed shows), then types text and Enter."""
    r = re.compile(prompt)
    s = t.wait(lambda s: r.search(t.cursor_line()), timeout)
    if check(name, s, "no %r at the cursor" % prompt, t.screen()):
        t.line(text)
        return True
    return False


def at_login_prompt(t):
    return re.search(r"^limen login: ?$", t.cursor_line()) is not None


def user_login(t, user, pw, name, timeout=300):
    """At getty's (or login's) prompt: the name, the password, then the
    user's shell prompt."""
    s = t.wait(lambda s: at_login_prompt(t), timeout)
    if not check(name + "_prompt", s, "no 'limen login:' at the cursor",
                 t.screen()):
        return False
    t.line(user)
    if not answer(t, r"^Password: ?$", pw, name + "_password"):
        return False
    s = t.wait(lambda s: USER_PROMPT_RE.search(t.cursor_line()), 120)
    return check(name, s, "no limen:~$ prompt after logging in", t.screen())


def shell_says(t, cmd, want, name, timeout=60):
    """Clears the screen, runs cmd and waits for a line matching want."""
    t.line("clear; " + cmd)
    s = t.wait(has_line(want), timeout)
    return check(name, s, "no %r after %r" % (want, cmd), t.screen())


def user_phase(t):
    """The ordinary user's session; True if it ends logged in again (with
    the new password) at a shell prompt."""
    if not sync(t, "first_sync"):
        return False
    shell_says(t, "echo \"who=$(id -un) uid=$(id -u) home=$HOME\"; pwd",
               r"^who=limen uid=1000 home=/home/limen\n/home/limen$", "id")
    sync(t, "after_id")
    # The user's own file, in his home: vi, then cat; it belongs to him.
    vi_session(t, "note.txt")
    shell_says(t, "stat -c 'owner=%U:%G' note.txt", r"^owner=limen:limen$",
               "note_owned_by_user")
    sync(t, "after_stat")
    top(t)
    job_control(t)
    if not sync(t, "before_su"):
        return False

    # su to root with root's password, and back with exit.
    t.line("clear; su")
    if answer(t, r"^Password: ?$", ROOT_PW, "su_asks"):
        s = t.wait(lambda s: ROOT_PROMPT_RE.search(t.cursor_line()), 120)
        if check("su_root_prompt", s, "no # prompt after su", t.screen()):
            shell_says(t, "echo \"uid=$(id -u) user=$(id -un)\"",
                       r"^uid=0 user=root$", "su_id_root")
            sync(t, "after_su_id")
            t.line("exit")
            s = t.wait(lambda s: USER_PROMPT_RE.search(t.cursor_line()),
                       120)
            check("su_exit_prompt", s, "no $ prompt after exit", t.screen())
    if not sync(t, "after_su"):
        return False
    shell_says(t, "echo \"uid=$(id -u)\"", r"^uid=1000$", "su_exit_id")
    if not sync(t, "before_passwd"):
        return False

    # passwd: the old password, the new one twice.
    t.line("clear; passwd")
    (answer(t, r"^Old password: ?$", USER_PW, "passwd_old")
     and answer(t, r"^New password: ?$", NEW_PW, "passwd_new")
     and answer(t, r"^Retype password: ?$", NEW_PW, "passwd_retype"))
    s = t.wait(has_line(r"password for limen changed"), 120)
    check("passwd_changed", s, "passwd did not say it changed it",
          t.screen())
    if not sync(t, "after_passwd"):
        return False

    # Log out, then the old password is refused and the new one taken.
    t.line("exit")
    s = t.wait(lambda s: at_login_prompt(t), 120)
    if not check("logout", s, "no login prompt after exit", t.screen()):
        return False
    mark = len(t.raw())
    t.line("limen")
    if not answer(t, r"^Password: ?$", USER_PW, "old_password_asked"):
        return False
    s = t.wait(lambda s: b"Login incorrect" in t.raw()[mark:]
               and has_line(r"^Login incorrect$")(s)
               and at_login_prompt(t), 120)
    if not check("old_password_refused", s,
                 "no 'Login incorrect' and a new prompt", t.screen()):
        return False
    if not user_login(t, "limen", NEW_PW, "new_password_login", 120):
        return False
    if not sync(t, "after_relogin"):
        return False
    shell_says(t, "echo \"who=$(id -un) uid=$(id -u)\"",
               r"^who=limen uid=1000$", "relogin_id")
    return sync(t, "user_done")


def vi_session(t, path):
    t.line("rm -f %s; vi %s" % (path, path))
    # An empty buffer: tildes down the left, the file's name on the
    # status (bottom) line.
    s = t.wait(lambda s: lines_of(s).count("~") >= ROWS - 3
               and "note.txt" in lines_of(s)[ROWS - 1], 120)
    if not check("vi_starts", s, "no empty vi screen with a status line",
                 t.screen()):
        return
    t.type("i")
    s = t.wait(lambda s: lines_of(s)[ROWS - 1].startswith("I"), 60)
    check("vi_insert_mode", s, "no I (insert mode) on the status line",
          t.screen())
    t.type("one two three")
    t.key("Enter")
    t.type("four five six")
    s = t.wait(has_line(r"^one two three$(.|\n)*^four five six$"), 60)
    check("vi_insert", s, "typed text not on the screen", t.screen())
    # busybox vi takes an ESC followed within 50 ms by more bytes for an
    # escape sequence (and drops it if unknown), as on Linux: wait until
    # it shows command mode ("-" on the status line) before typing on.
    t.key("Escape")
    s = t.wait(lambda s: lines_of(s)[ROWS - 1].startswith("-"), 60)
    check("vi_escape", s, "Esc did not leave insert mode", t.screen())
    # Search moves the cursor to "two" on line 1; x deletes its t.
    t.type("/two")
    s = t.wait(lambda s: lines_of(s)[ROWS - 1].startswith("/two"), 60)
    check("vi_search_status_line", s, "no /two on the status line",
          t.screen())
    t.key("Enter")
    s = t.wait(lambda s: t.cursor() == (4, 0), 60)
    check("vi_search_moves", s, "the cursor is not on 'two' after /two",
          t.screen())
    t.type("x")
    s = t.wait(has_line(r"^one wo three$"), 60)
    check("vi_x_deletes", s, "x after /two did not delete the t of two",
          t.screen())
    t.type(":w")
    t.key("Enter")
    s = t.wait(lambda s: re.search(r"note\.txt.*2L, 27C",
                                   lines_of(s)[ROWS - 1]), 60)
    if check("vi_write", s, "no '\"note.txt\" 2L, 27C' after :w",
             t.screen()):
        t.type(":q")
    else:
        # Leave vi anyway, so that the other programs are still checked.
        t.key("Escape")
        t.wait(lambda s: lines_of(s)[ROWS - 1].startswith("-"), 60)
        t.type(":q!")
    t.key("Enter")
    if not sync(t, "vi_quit"):
        return
    check("vi_quit", True)
    t.line("clear; cat %s" % path)
    s = t.wait(has_line(r"^one wo three\nfour five six$"), 60)
    check("vi_saved_content", s, "cat does not show what vi saved",
          t.screen())
    sync(t, "after_cat")


def vi_winch(t):
    """A window-size change while vi runs: SIGWINCH makes it redraw. The
    change is made by a background job that waits for a file vi writes,
    so vi is surely running (and sized 24x80) when it comes."""
    t.line("clear; rm -f /tmp/go; (while [ ! -e /tmp/go ]; do sleep 1; done;"
           " stty rows 12 cols 40) & vi /root/w")
    s = t.wait(lambda s: lines_of(s)[ROWS - 1].startswith("-")
               and "/root/w" in lines_of(s)[ROWS - 1], 120)
    if not check("vi_winch_starts", s, "no vi status line on row 24",
                 t.screen()):
        return
    t.type(":w /tmp/go")
    t.key("Enter")
    # (The status line may hold :w's message; the tildes end on row 11.)
    s = t.wait(lambda s: lines_of(s)[11].strip()
               and lines_of(s)[1:11] == ["~"] * 10
               and not any(lines_of(s)[12:]), 120)
    check("vi_sigwinch_redraws", s,
          "vi did not redraw its status line on row 12 after the resize",
          t.screen())
    t.type(":q")
    t.key("Enter")
    t.line("stty rows %d cols %d; stty size" % (ROWS, COLS))
    check("stty_size_restored", t.wait(has_line(r"^%d %d$" % (ROWS, COLS)),
                                       60), "stty size not back", t.screen())
    sync(t, "after_vi_winch")


def less_more(t):
    t.line("seq 1 200 > /root/f; less /root/f")
    s = t.wait(lambda s: numbers_on(s)[:1] == [1]
               and len(numbers_on(s)) >= ROWS - 2, 120)
    if not check("less_first_screen", s and consecutive(numbers_on(s)),
                 "no 1.. on less's first screen", t.screen()):
        t.type("q")
        sync(t, "after_less")
        return
    first = numbers_on(s)

    def next_page(s):
        # The whole next page: a screen caught while less redraws holds
        # part of each page, so the wait asks for what the check wants.
        ns = numbers_on(s)
        return consecutive(ns) and ns[0] != 1 and ns[0] > first[-1] - 2

    t.key("Space")
    s = t.wait(next_page, 60)
    check("less_space_pages", s, "Space did not show the next page",
          t.screen())
    t.type("/150")
    t.key("Enter")
    s = t.wait(lambda s: 150 in numbers_on(s) and numbers_on(s)[0] > 100,
               60)
    check("less_search", s, "/150 did not bring 150 on screen", t.screen())
    t.type("q")
    if sync(t, "less_quits"):
        check("less_quits", True)

    t.line("clear; more /root/f")
    s = t.wait(lambda s: "--More--" in s and numbers_on(s)[:1] == [1], 120)
    if not check("more_first_screen", s, "no 1.. and --More--",
                 t.screen()):
        t.type("q")
        sync(t, "after_more")
        return
    last = numbers_on(s)[-1]
    t.key("Space")
    s = t.wait(lambda s: "--More--" in s and numbers_on(s)
               and numbers_on(s)[-1] > last, 60)
    check("more_space_pages", s, "Space did not page", t.screen())
    t.type("q")
    if sync(t, "more_quits"):
        check("more_quits", True)


def top(t):
    mark = len(t.raw())
    t.line("top -d 1")
    s = t.wait(lambda s: re.search(r"^Mem:", s, re.M)
               and re.search(r"^CPU:", s, re.M)
               and re.search(r"^\s*PID\s", s, re.M), 120)
    check("top_header", s, "no Mem:/CPU:/PID header", t.screen())
    # top redraws from the home position each second: wait for three.
    end = time.monotonic() + 120 * TF
    redraws = 0
    while time.monotonic() < end and redraws < 3:
        redraws = t.raw()[mark:].count(b"\x1b[H")
        time.sleep(0.5)
    check("top_refreshes", redraws >= 3,
          "only %d redraws of top's screen" % redraws, t.screen())
    t.type("q")
    if sync(t, "top_quits"):
        check("top_quits", True)


def watch(t):
    t.line("clear; watch -n 1 date")
    pat = re.compile(r"\d\d:\d\d:\d\d")

    def times(s):
        return [l for l in lines_of(s)[1:] if pat.search(l)]
    s = t.wait(lambda s: s.startswith("Every 1") and times(s), 120)
    if check("watch_header", s, "no 'Every 1...' and a date", t.screen()):
        first = times(s)[0]
        s = t.wait(lambda s: times(s) and times(s)[0] != first, 120)
        check("watch_repeats", s, "the date did not change", t.screen())
    t.key("C-c")
    if sync(t, "watch_ctrl_c"):
        check("watch_ctrl_c", True)


def clear_reset(t):
    t.line("seq 1 30")
    t.wait(has_line(r"^30$"), 60)
    t.line("clear")

    def blank_but_prompt(s):
        nonblank = [l for l in lines_of(s) if l.strip()]
        return len(nonblank) == 1 and PROMPT_RE.search(lines_of(s)[0] + " ")
    s = t.wait(lambda s: blank_but_prompt(s) and at_prompt(t), 60)
    check("clear", s, "screen not blank but for the prompt", t.screen())

    # reset brings echo back after stty -echo, and clears the screen.
    t.line("stty -echo")
    sync(t, "stty_echo_off")
    t.line("reset")
    time.sleep(0.5)
    t.line("echo vis''ible")
    s = t.wait(has_line(r"echo vis''ible$"), 120)
    check("reset_echo", s, "typed command not echoed after reset",
          t.screen())
    t.line("stty -a | grep -o ' [-]*echo '")
    s = t.wait(has_line(r"^ echo$"), 60)
    check("reset_stty_sane", s, "stty -a does not say echo", t.screen())
    sync(t, "after_reset")


def job_control(t):
    t.line("clear; sleep 100")
    time.sleep(0.5)
    stopped = None
    end = time.monotonic() + 120 * TF
    while time.monotonic() < end and not stopped:
        t.key("C-z")
        stopped = t.wait(has_line(r"Stopped.*sleep 100"), 10)
    check("ctrl_z_stops", stopped, "no Stopped after ^Z", t.screen())
    sync(t, "after_ctrl_z")
    t.line("jobs")
    s = t.wait(has_line(r"^\[1\]\+ +Stopped +sleep 100$"), 60)
    check("jobs_stopped", s, "jobs does not list a stopped sleep 100",
          t.screen())
    sync(t, "after_jobs")
    t.line("fg")
    s = t.wait(has_line(r"^sleep 100$"), 60)
    check("fg", s, "fg did not print sleep 100", t.screen())
    t.key("C-c")
    if sync(t, "ctrl_c_after_fg", timeout=60):
        check("ctrl_c_after_fg", True)
    t.line("jobs; echo jo''bs=$?")
    s = t.wait(has_line(r"^jobs=0$"), 60)
    check("no_jobs_left", s and "Stopped" not in s.split("jobs=0")[0]
          .split("echo jo''bs")[-1], "a job is left", t.screen())


if __name__ == "__main__":
    sys.exit(main())
