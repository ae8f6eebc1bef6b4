"""Who holds a server's port: this checkout, another checkout, another user, or a program.

One checkout owns the lesson's servers. Before `up` starts or reuses anything, each port
is looked up here, so that a second checkout (or the other engine, or somebody else's
program) is named in one line at once, instead of being used silently or failing later.

- Docker: `docker ps --filter publish=PORT` and the container's Compose labels (project
  and working directory).
- A process: the kernel's socket table (/proc/net/tcp{,6}) gives the listening socket's
  inode and uid; the process that has that inode open gives its pid and command line.
  Another user's process cannot be read, but its uid can.
"""

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..platforms import command
from .common import ROOT, STATE
from .places import SHARED

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
        if labels.get("com.docker.compose.project") != PROJECT:
            return Holder(f"the Docker container {row.get('Names')} ({row.get('Image')})", "other")
        folder = labels.get("com.docker.compose.project.working_dir", "")
        if folder and Path(folder).resolve() == ROOT:
            kind = "ours" if engine == "docker" else "our-other-engine"
            return Holder("this checkout's lesson-17 containers (Docker)", kind)
        return Holder(
            f"the lesson-17 containers of {folder or 'another folder'} (Docker)", "lesson"
        )
    return None


def _listeners():
    """(host in hex, port, uid, inode) of each listening TCP socket of this network
    namespace, from /proc/net/tcp and tcp6 (none where they cannot be read)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
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


def public_listener(port):
    """True when something listens on `port` beyond loopback (from /proc/net/tcp{,6});
    False where it is loopback only, or nothing can be read."""
    return any(at == int(port) and not _loopback(host) for host, at, _, _ in _listeners())


def _loopback(hex_host):
    raw = bytes.fromhex(hex_host)
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))  # little-endian words
    if len(words) == 16 and words[:12] == b"\0" * 10 + b"\xff\xff":
        words = words[12:]  # an IPv4 address in IPv6 form
    return words[0] == 127 if len(words) == 4 else words == b"\0" * 15 + b"\1"


def _pid_of(inodes):
    target = {f"socket:[{inode}]" for inode in inodes}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in target:
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
    try:
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
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


def _process_holder(port, daemon, engine):
    sockets = _listening_sockets(port)
    if not sockets:
        return None
    uid = next(iter(sockets.values()))
    pid = _pid_of(sockets)
    if pid is None:
        if uid != os.getuid():
            return Holder(f"a program of user {_user(uid)}", "other")
        return Holder("a program of yours in another container or namespace", "other")
    if pid == daemon.pid():
        kind = "ours" if engine == "native" else "our-other-engine"
        return Holder(f"this checkout's native {daemon.name} (pid {pid})", kind)
    checkout = _checkout_of(pid)
    if checkout is not None and checkout != ROOT:
        return Holder(f"the lesson-17 {daemon.name} of {checkout} (pid {pid})", "lesson")
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode()
    except OSError:
        command = "?"
    return Holder(f"pid {pid} ({os.path.basename(command)}, user {_user(uid)})", "other")


def holder(port, daemon, engine, docker):
    """Who listens on `port` of this machine, or None when nobody does. `docker`: whether
    a Docker engine answers (then its containers are asked first)."""
    found = _docker_holder(port, engine) if docker else None
    if found is None and Path("/proc/net/tcp").exists():
        found = _process_holder(port, daemon, engine)
    elif found is None and daemon.pid():  # no /proc (macOS): trust our pid file
        found = Holder(
            f"this checkout's native {daemon.name}",
            "ours" if engine == "native" else "our-other-engine",
        )
    return found


def refusal(name, port, found):
    """One line: who holds the port and what to do about it."""
    return f"{name}: port {port} is held by {found.what}: {FIXES[found.kind]}"
