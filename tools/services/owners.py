"""Who holds a server's port: this checkout, another checkout, another user, or a program.

One checkout owns the lesson's servers. Before `up` starts or reuses anything, each port
is looked up here, so that a second checkout (or the other engine, or somebody else's
program) is named in one line at once, instead of being used silently or failing later.

- Docker: `docker ps --filter publish=PORT` and the container's Compose labels (project
  and working directory).
- A process: the kernel's socket table (/proc/net/tcp{,6}) gives the listening socket's
  inode and uid; the process that has that inode open gives its pid and command line.
  Another user's process cannot be read, but its uid can.
- No /proc (macOS; Windows): psutil lists the listening sockets and their pids (all of
  them on Windows and for root; on macOS otherwise only your own processes'). A port that
  answers while no socket can be seen is held by "a program that cannot be named here",
  with the reason, and refused like any other program; nothing ever crashes on it.
"""

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..listener_check import open_files
from ..platforms import command
from . import common
from .common import ROOT, STATE
from .places import SHARED
from .processes import port_in_use, process_facts

PROJECT = "lesson-17"  # `name:` of docker-compose.yml


FIXES = {
    "lesson": f"stop them there (`{command('services-down')}` in that folder), or use other "
    "ports in .env",
    "our-other-engine": f"`{command('services-down')}` stops them, then "
    f"`{command('services')}` starts them again",
    "other": "stop it, or choose another port for the lesson in .env",
}


@dataclass
class Holder:
    """What listens on a port: `kind` is "ours", "our-other-engine", "lesson" (another
    checkout's lesson-17 servers) or "other"; `what` names it for people."""

    what: str
    kind: str
    fix: str = ""  # when the kind's usual fix can be said more exactly (a container's name)


def _docker_holder(port, engine):
    try:
        proc = subprocess.run(
            ["docker", "ps", "--filter", f"publish={port}", "--format", "{{json .}}"],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in proc.stdout.splitlines() if proc.returncode == 0 else []:
        row = json.loads(line)
        labels = dict(
            part.split("=", 1) for part in row.get("Labels", "").split(",") if "=" in part
        )
        if labels.get("com.docker.compose.project") != PROJECT:  # e.g. a section's own project
            name = row.get("Names")
            fix = (
                f"`docker stop {name}` (its volume keeps its data), or choose another port in .env"
            )
            return Holder(f"the Docker container {name} ({row.get('Image')})", "other", fix)
        folder = labels.get("com.docker.compose.project.working_dir", "")
        if folder and Path(folder).resolve() == ROOT:
            kind = "ours" if engine == "docker" else "our-other-engine"
            return Holder("this checkout's lesson-17 containers (Docker)", kind)
        return Holder(
            f"the lesson-17 containers of {folder or 'another folder'} (Docker)", "lesson"
        )
    return None


class Unreadable(Exception):
    """Neither /proc nor psutil can list this machine's sockets: the reason, for people."""


def _listeners():
    """(host in hex, port, uid, inode) of each listening TCP socket of this network
    namespace, from /proc/net/tcp and tcp6 (none where they cannot be read)."""
    for table in ("net/tcp", "net/tcp6"):
        try:
            lines = (common.PROC / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                host, port_hex = fields[1].rsplit(":", 1)
                yield host, int(port_hex, 16), int(fields[7]), fields[9]


def _listening_sockets(port):
    """{inode: uid} of the sockets listening on `port`, from this network namespace."""
    return {inode: uid for _, at, uid, inode in _listeners() if at == int(port)}


def _psutil_listeners():
    """(address, port, pid) of each listening TCP socket psutil can see, where there is no
    /proc: every socket on Windows and for root; on macOS otherwise (AccessDenied) the
    sockets of your own processes. pid is None for a process that cannot be seen."""
    try:
        import psutil
    except ImportError:  # the system's Python, before `make install`
        hint = f"no /proc here, and psutil is not installed: run `{command('install')}`"
        raise Unreadable(hint) from None
    try:
        try:
            found = [(c.laddr.ip, c.laddr.port, c.pid) for c in psutil.net_connections("tcp")
                     if c.status == psutil.CONN_LISTEN]  # fmt: skip
        except psutil.AccessDenied:  # macOS, not root: one's own processes only
            found = []
            for proc in psutil.process_iter():
                try:
                    found += [(c.laddr.ip, c.laddr.port, proc.pid)
                              for c in proc.net_connections("tcp")
                              if c.status == psutil.CONN_LISTEN]  # fmt: skip
                except psutil.Error:  # another user's, or gone
                    continue
    except (OSError, psutil.Error, IndexError):  # IndexError: an empty /proc
        raise Unreadable("no /proc here, and psutil cannot list the sockets") from None
    return found


def public_listener(port):
    """True when something listens on `port` beyond loopback (from /proc/net/tcp{,6}, else
    psutil); False where it is loopback only, or nothing can be read."""
    if (common.PROC / "net" / "tcp").exists():
        return any(at == int(port) and not _loopback(h) for h, at, _, _ in _listeners())
    try:
        found = _psutil_listeners()
    except Unreadable:
        return False
    return any(at == int(port) and not _loopback_text(host) for host, at, _ in found)


def _loopback_text(host):
    import ipaddress

    address = ipaddress.ip_address(host.split("%")[0])
    mapped = getattr(address, "ipv4_mapped", None)  # an IPv4 address in IPv6 form
    return (mapped or address).is_loopback


def _loopback(hex_host):
    raw = bytes.fromhex(hex_host)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))  # little-endian words
    if len(words) == 16 and words[:12] == b"\0" * 10 + b"\xff\xff":
        words = words[12:]  # an IPv4 address in IPv6 form
    return words[0] == 127 if len(words) == 4 else words == b"\0" * 15 + b"\1"


def _pid_of(inodes):
    target = {f"socket:[{inode}]" for inode in inodes}
    for proc in common.PROC.iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if open_files(proc) & target:
                return int(proc.name)
        except OSError:  # gone, or another user's
            continue
    return None


def _user(uid):
    import pwd  # POSIX only, like /proc

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _checkout_of(pid):
    """The checkout whose native server this is, from the process's working folder:
    <checkout>/.services/NAME, or /var/lib/lesson-17/<id>/NAME whose `checkout` file
    names it (servers started by root; MariaDB moves on into its data folder there)."""
    cwd = process_facts(pid).cwd
    if cwd is None:
        return None
    for folder in cwd.parents:
        if folder.name == STATE.name:
            return folder.parent
        if folder.parent == SHARED:
            try:
                return Path((folder / "checkout").read_text().strip())
            except OSError:
                return None
    return None


def _who_listens(port):
    """(pid, user) of what listens on `port`: pid None where the process cannot be seen,
    user None where it is not known, "" for oneself; None when no listening socket is
    seen. Raises Unreadable where neither /proc nor psutil can list the sockets."""
    if (common.PROC / "net" / "tcp").exists():
        sockets = _listening_sockets(port)
        if not sockets:
            return None
        uid = next(iter(sockets.values()))
        pid = _pid_of(sockets)
        return pid, "" if pid is None and uid == os.getuid() else _user(uid)
    pids = [pid for _, at, pid in _psutil_listeners() if at == int(port)]
    if not pids:
        return None
    return pids[0], process_facts(pids[0]).user if pids[0] else None


def _process_holder(port, daemon, engine):
    ours = "ours" if engine == "native" else "our-other-engine"
    try:
        seen = _who_listens(port)
    except Unreadable as exc:
        if daemon.pid():  # our pid file names a live server of ours: trusted
            return Holder(f"this checkout's native {daemon.name}", ours)
        seen = exc
    if seen is None and (common.PROC / "net" / "tcp").exists():
        return None  # the kernel's table shows every user's sockets: nobody listens (asking
        # the port next would race a server that binds it meanwhile, and name it unknown)
    if isinstance(seen, Unreadable) or seen is None:
        # Nothing seen: on macOS another user's sockets are invisible, so ask the port.
        if not port_in_use(port):
            return None
        reason = seen if seen else "not one of your programs, and only yours can be seen"
        return Holder(f"a program that cannot be named here ({reason})", "other")
    pid, user = seen
    if pid is None and user == "":
        return Holder("a program of yours in another container or namespace", "other")
    if pid is None:
        return Holder(f"a program of {'user ' + user if user else 'another user'}", "other")
    if pid == daemon.pid():
        return Holder(f"this checkout's native {daemon.name} (pid {pid})", ours)
    checkout = _checkout_of(pid)
    if checkout is not None and checkout != ROOT:
        return Holder(f"the lesson-17 {daemon.name} of {checkout} (pid {pid})", "lesson")
    program = process_facts(pid).name or "?"
    return Holder(f"pid {pid} ({program}, user {user or '?'})", "other")


def holder(port, daemon, engine, docker):
    """Who listens on `port` of this machine (a Holder), or None when nobody does.
    `docker`: whether a Docker engine answers (then its containers are asked first).
    Where the program cannot be named (no /proc, no psutil), Holder.what says so."""
    found = _docker_holder(port, engine) if docker else None
    return found if found is not None else _process_holder(port, daemon, engine)


def refusal(name, port, found):
    """One line: who holds the port and what to do about it."""
    return f"{name}: port {port} is held by {found.what}: {found.fix or FIXES[found.kind]}"
