"""Is the program that listens on a lesson port this checkout's own server? Asked by the
lesson scripts before they send a password, key or token (each section's settings.py
loads this file from the checkout: standard library only, and cheap).

On a shared machine another user can listen on a lesson port while the servers are down,
and collect whatever a client sends. A server on this machine is taken as ours when its
listening socket is:
- a program of yours (your own user: nobody else can be on the other end);
- a process `make services` started for this checkout (its pid file names the very
  process: pid and start time), as when root runs the servers as their own user;
- a container of this checkout's Docker Compose project (the root file's, or a
  section's), as Docker publishes its ports through a program of root.
The listening socket's owner comes from the kernel's table (/proc/net/tcp). Where there
is none (macOS, Windows: a laptop of one user) nothing is refused.

And a MySQL server may ask the client for any authentication plugin, which PyMySQL obeys:
NO_CLEAR_TEXT refuses the two that send the password itself.
"""

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROC = Path("/proc")  # the kernel's tables (a test hides them, as on macOS)
LOOPBACK = ("127.", "localhost", "::1", "[::1]")


def listeners(port):
    """{socket inode: uid} of the sockets listening on `port` (empty without /proc)."""
    found = {}
    for table in ("tcp", "tcp6"):
        try:
            rows = [line.split() for line in (PROC / "net" / table).read_text().splitlines()[1:]]
        except OSError:
            continue
        for row in rows:
            if row[3] == "0A" and int(row[1].rsplit(":", 1)[1], 16) == int(port):  # LISTEN
                found[row[9]] = int(row[7])
    return found


def _started(pid):
    try:  # field 22 of /proc/PID/stat, after the command name in parentheses
        return int((PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def open_files(process):
    """What a process (its /proc folder) has open: socket:[INODE], paths. A busy server
    closes connections all the time: one closed between listing its fds and reading it
    is skipped, not taken as the process being gone."""
    held = set()
    for fd in (process / "fd").iterdir():
        try:
            held.add(os.readlink(fd))
        except OSError:
            continue
    return held


def started_here(inodes):
    """Does a process this checkout's `make services` started (its pid files) hold all
    these sockets? Any of its servers will do: a wrong port in .env then reaches one of
    ours, which says it is not the server asked for."""
    for pidfile in (ROOT / ".services").glob("*/*.pid"):
        try:
            record = json.loads(pidfile.read_text())
            pid = int(record["pid"])
            if _started(pid) != record.get("started"):
                continue  # the number now belongs to another process
            held = open_files(PROC / str(pid))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if all(f"socket:[{inode}]" in held for inode in inodes):
            return True
    return False


def our_container(port):
    """Does a container of this checkout's Compose projects publish `port`?"""
    label = "{{.Label `com.docker.compose.project.working_dir`}}"
    try:
        ps = subprocess.run(
            ["docker", "ps", "--filter", f"publish={port}", "--format", label],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    folders = [Path(line).resolve() for line in ps.stdout.splitlines() if line.strip()]
    return any(folder == ROOT or ROOT in folder.parents for folder in folders)


def user(uid):
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"


def refusal(name, host, port):
    """None when `host:port` may have the credentials: it is not on this machine, nothing
    listens there, or it is this checkout's own server. Otherwise one line: who holds it."""
    if not str(host).startswith(LOOPBACK) or not (str(port).isascii() and str(port).isdigit()):
        return None  # a server elsewhere (a managed MySQL, AWS): its TLS vouches for it
    found = listeners(port)
    if not found or set(found.values()) == {os.getuid()}:
        return None
    if started_here(found) or our_container(port):
        return None
    others = ", ".join(sorted({user(uid) for uid in found.values()}))
    return (
        f"port {port} is held by a program of user {others}, not by this checkout's {name} "
        "server, so nothing was sent to it: stop that program, or choose another port in "
        ".env (`make services` starts yours)"
    )


class NoClearTextPassword:
    """PyMySQL's handler (auth_plugin_map) for a plugin that would send the password as it
    is: it refuses, before anything is sent."""

    def __init__(self, conn):
        import pymysql

        raise pymysql.err.OperationalError(
            2059, "the server asked for the password in clear text: refused, nothing was sent"
        )


# mysql_clear_password sends it as it is; dialog does too, when asked "Password: ".
NO_CLEAR_TEXT = {"mysql_clear_password": NoClearTextPassword, "dialog": NoClearTextPassword}
