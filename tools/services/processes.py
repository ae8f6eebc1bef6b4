"""Background server processes: pid files that name the very process, waits with a
bound, ports."""

import json
import os
import signal
import socket
import subprocess
import time
from collections import namedtuple
from pathlib import Path

from . import common
from .common import ROOT, STATE, Fail
from .places import (
    as_root,
    as_user,
    data_home,
    open_private,
    owned_folder,
    private_state,
    runtime_user,
)


def tail(path, lines=25):
    try:
        text = Path(path).read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no log yet)"
    return "\n".join(text[-lines:])


def wait_until(check, seconds, what, daemon):
    """Poll check() until it returns a true value; fail with the log's tail on timeout,
    or as soon as the server process has exited."""
    deadline = time.monotonic() + seconds
    last_error = None
    while time.monotonic() < deadline:
        if daemon.pid() is None:
            raise Fail(
                f"{what} exited while starting. Last lines of {daemon.logfile}:\n"
                f"{tail(daemon.logfile)}"
            )
        try:
            result = check()
            if result:
                return result
        except Fail:  # a refusal (another user's program on the port) is said at once
            raise
        except Exception as exc:  # a server that is starting up fails in many ways
            last_error = exc
        time.sleep(0.5)
    raise Fail(
        f"{what} was not ready after {seconds} s (last error: {last_error}).\n"
        f"Last lines of {daemon.logfile}:\n{tail(daemon.logfile)}"
    )


def port_in_use(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not alive; it only waits to be reaped by its parent.
    try:
        return (common.PROC / str(pid) / "stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        pass
    try:  # no /proc (macOS)
        import psutil

        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except ImportError:
        return True
    except psutil.NoSuchProcess:
        return False
    except (psutil.Error, OSError, IndexError):  # another user's, or an empty /proc
        return True


# What can be read about a process; each None where it cannot be (another user's; gone).
# uids: (real, effective, saved[, filesystem]).
Facts = namedtuple("Facts", "started exe cwd name user uids")
NO_FACTS = Facts(None, None, None, None, None, None)


def process_facts(pid):
    """A process's Facts: from /proc where there is one (started: clock ticks since boot);
    else from psutil (macOS, Windows; started: seconds since the epoch); all None where
    neither can read it (an empty /proc, or psutil not installed)."""
    if (common.PROC / "self").exists():
        return _proc_facts(pid)
    try:
        import psutil
    except ImportError:  # the system's Python, before `make install`
        return NO_FACTS
    try:
        proc = psutil.Process(pid)
    except (psutil.Error, OSError, IndexError):  # IndexError: an empty /proc
        return NO_FACTS

    def fact(read):
        try:
            return read()
        except (psutil.Error, OSError):
            return None

    cwd = fact(proc.cwd)
    uids = fact(proc.uids) if hasattr(proc, "uids") else None  # POSIX only
    return Facts(fact(proc.create_time), fact(proc.exe) or None, cwd and Path(cwd),
                 fact(proc.name), fact(proc.username), uids and tuple(uids))  # fmt: skip


def _proc_facts(pid):
    folder = common.PROC / str(pid)
    try:
        stat = (folder / "stat").read_text()
        started = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, after comm
        status = (folder / "status").read_text().splitlines()
    except (OSError, ValueError, IndexError):
        return NO_FACTS  # gone
    uids = next((line.split()[1:] for line in status if line.startswith("Uid:")), None)

    def link(name):
        try:
            return os.readlink(folder / name)
        except OSError:  # another user's process
            return None

    cwd = link("cwd")
    try:
        argv0 = (folder / "cmdline").read_bytes().split(b"\0")[0].decode()
    except OSError:
        argv0 = ""
    return Facts(started, link("exe"), cwd and Path(cwd), os.path.basename(argv0) or None,
                 None, uids and tuple(map(int, uids)))  # fmt: skip


def identity(pid):
    """(start time, executable) of a process, from /proc or psutil (process_facts); where
    neither can be read, (None, None): the pid alone is then trusted."""
    facts = process_facts(pid)
    return facts.started, facts.exe


class Daemon:
    """A server process started in the background, remembered by a pid file."""

    def __init__(self, name):
        self.name = name
        self.dir = STATE / name  # the pid file and the log, kept by the manager
        self.pidfile = self.dir / f"{name}.pid"
        self.logfile = self.dir / f"{name}.log"

    @property
    def data(self):
        """The server's own folder (its cwd and data), where its user can write."""
        return data_home() / self.name

    def pid(self):
        """The server's pid, only while the pid file still names the very process it was
        written for: same pid, same start time, same executable. After a reboot or a crash
        the number may belong to anyone's process, which is then never signalled."""
        try:
            record = json.loads(self.pidfile.read_text())
        except (FileNotFoundError, ValueError):
            return None
        try:
            pid = int(record["pid"])
        except (KeyError, TypeError, ValueError):
            return None
        if not pid_alive(pid) or identity(pid) != (record.get("started"), record.get("exe")):
            return None
        return pid

    def start(self, argv, port, pass_fds=()):
        """Start argv in the background as the servers' user; pass_fds: open files it
        inherits (mysql's set-up SQL, through a pipe)."""
        deadline = time.monotonic() + 10  # a server we just stopped may still hold it
        while port_in_use(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        if port_in_use(port):
            raise Fail(
                f"{self.name}: port {port} is taken by a server that does not answer with the "
                f".env settings. Stop it, or choose another port in .env."
            )
        private_state()
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        owned_folder(self.data)
        user = runtime_user()
        if as_root():  # which checkout these servers belong to (owners.py reads it)
            home = data_home()
            (home / "checkout").write_text(str(ROOT) + "\n")
            # root's, entered by the servers' group alone: nobody else can sit in it (a
            # process whose cwd is there keeps a gone checkout's data from being deleted)
            os.chown(home, 0, user[2])
            home.chmod(0o750)
        with open_private(self.logfile, "ab") as out:
            proc = subprocess.Popen(
                argv,
                cwd=self.data,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives `make services`; stopped by pid
                pass_fds=pass_fds,
                **as_user(user),
            )
        started, exe = identity(proc.pid)
        record = {"pid": proc.pid, "started": started, "exe": exe}
        self.pidfile.write_text(json.dumps(record) + "\n")
        return proc.pid

    def stop(self, seconds=30):
        pid = self.pid()
        self.pidfile.unlink(missing_ok=True)
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + seconds
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
            while pid_alive(pid):  # the kernel frees its ports only once it is gone
                time.sleep(0.1)
        return True
