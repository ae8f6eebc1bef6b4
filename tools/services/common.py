"""Shared plumbing of the service manager: settings, processes, waits, installs.

It runs in the project's virtualenv (`make services` installs it first), so settings are
read by python-dotenv, exactly as the lesson scripts read them.
"""

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# tools/platforms.py (OS choices such as how a command is typed) is shared with install.py.
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(1, str(ROOT / "tools"))
STATE = ROOT / ".services"  # data, logs and pid files; git-ignored
CACHE = Path(os.getenv("XDG_CACHE_HOME", Path.home() / ".cache")) / "lesson-17"  # built binaries


class Fail(Exception):
    """A problem the user can act on: printed as one message, exit code 1."""


# --- who the servers run as, and where their data lives ---
#
# No server runs as the OS root user. Started by a normal user, they run as that user
# with their data in .services/NAME. Started by root (who may apt-get MariaDB), they run
# as the user who called sudo (SUDO_USER) or, for a root login, the dedicated system
# user `lesson17`; their data then lives in /var/lib/lesson-17/<checkout id>/NAME, owned
# by that user, since a user cannot reach into root's folders (/root, a `mktemp -d`
# clone), and the cached programs are copied to /var/lib/lesson-17/bin. Logs and pid
# files stay in .services/, written by the manager.
SERVICE_USER = "lesson17"
SHARED = Path("/var/lib/lesson-17")


def as_root():
    return getattr(os, "geteuid", lambda: -1)() == 0


def runtime_user():
    """(name, uid, gid) the servers run as when root starts them, else None (as oneself)."""
    if not as_root():
        return None
    import pwd

    name = os.environ.get("SUDO_USER") or SERVICE_USER
    if name == "root":
        name = SERVICE_USER
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        if name != SERVICE_USER or not shutil.which("useradd"):
            raise Fail(
                "the servers do not run as root: run `make services` as your own user"
            ) from None
        run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir",
             "/nonexistent", "--shell", "/usr/sbin/nologin", SERVICE_USER],
            f"useradd {SERVICE_USER} (the servers' own user)",
        )  # fmt: skip
        entry = pwd.getpwnam(name)
    return entry.pw_name, entry.pw_uid, entry.pw_gid


def data_home():
    """Where the servers' data lives (see above)."""
    if not as_root():
        return STATE
    return SHARED / checkout_id()


ID_FILE = STATE / "checkout-id"


def _legacy_id(root):
    return hashlib.sha256(str(root).encode()).hexdigest()[:12]


def _has_run_servers(state):
    return any(state.glob("*/*.log"))


def checkout_id():
    """This checkout's name for its folder in /var/lib/lesson-17: random, and kept in
    .services/, so it goes when the checkout goes. A new clone at the path of a deleted
    one gets a new folder, never the old servers' data, which were set up with the old
    .env's passwords and tokens. A checkout whose servers ran before ids existed (logs in
    .services/, no id) keeps its folder, named by the hash of its path."""
    try:
        return ID_FILE.read_text().strip()
    except FileNotFoundError:
        pass
    new = _legacy_id(ROOT) if _has_run_servers(STATE) else secrets.token_hex(6)
    private_state()
    ID_FILE.write_text(new + "\n")
    return new


def _belongs_to_a_checkout(folder):
    """Is this /var/lib/lesson-17 folder still the data of the checkout it names?"""
    try:
        root = Path((folder / "checkout").read_text().strip())
    except OSError:
        return True  # not one of ours as we know them: left alone
    state = root / ".services"
    try:
        return (state / "checkout-id").read_text().strip() == folder.name
    except OSError:
        return folder.name == _legacy_id(root) and _has_run_servers(state)


def _in_use(folder):
    """Does a live process run in this folder (a server of a checkout deleted under it)?"""
    for proc in Path("/proc").iterdir():
        try:
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if cwd == folder or folder in cwd.parents:
            return True
    return False


def forget_gone_checkouts():
    """As root: delete the server data of checkouts that no longer exist (deleted, or
    cloned afresh at the same path), which nobody can log into any more. Returns the
    checkout paths whose data went."""
    gone = []
    if not as_root() or not SHARED.is_dir():
        return gone
    for folder in sorted(SHARED.iterdir()):
        if folder.name == "bin" or not folder.is_dir() or folder == data_home():
            continue
        if _belongs_to_a_checkout(folder) or _in_use(folder):
            continue
        gone.append((folder / "checkout").read_text().strip())
        shutil.rmtree(folder)
    return gone


def owned_folder(path):
    """A folder only the servers' user can enter (0700, theirs)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)  # also when it was made as the parent of another
    user = runtime_user()
    if user:
        for folder, _, files in os.walk(path):
            for name in [folder, *(os.path.join(folder, f) for f in files)]:
                os.lchown(name, user[1], user[2])
    return path


def as_user(user):
    """subprocess keyword arguments that run a child as the servers' user, not root."""
    if not user:
        return {}
    name, uid, gid = user
    return {"user": uid, "group": gid, "extra_groups": [], "env": {**os.environ, "HOME": "/"}}


def shared_copy(source):
    """A program (file or folder) the servers' user can run: as root, a copy in
    /var/lib/lesson-17/bin (root's own, world-readable); else the source itself."""
    if not as_root():
        return source
    target = SHARED / "bin" / source.parent.name / source.name
    if not target.exists() or (source.is_file() and _sha256_of(target) != _sha256_of(source)):
        SHARED.mkdir(mode=0o755, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, partial)
        else:
            shutil.copy2(source, partial)
        subprocess.run(["chmod", "-R", "a+rX,go-w", str(partial)], check=True)
        if target.is_dir():
            shutil.rmtree(target)
        partial.rename(target)
    return target


def _dotenv_values(path):
    try:
        from dotenv import dotenv_values
    except ImportError as exc:  # run by a Python without the project's packages
        raise Fail(
            "the service manager runs in the project's virtualenv: `make install` makes it "
            "(or run it with .venv/bin/python)"
        ) from exc
    return {k: v or "" for k, v in dotenv_values(path).items()} if path.exists() else {}


def read_settings():
    """The .env.example defaults, overridden by .env, overridden by the environment.

    python-dotenv reads both files, as in every lesson script: an inline `# comment`,
    quotes and `export` mean the same to the servers and to the scripts.
    """
    settings = {**_dotenv_values(ROOT / ".env.example"), **_dotenv_values(ROOT / ".env")}
    settings.update({k: v for k, v in os.environ.items() if k in settings})
    return settings


def write_env_setting(name, value):
    """Set one line NAME=value in .env (replaced where it is, else added), keeping the
    file's other lines, comments and private mode."""
    env = ROOT / ".env"
    text = env.read_text() if env.exists() else ""
    line = f"{name}={value}"
    if re.search(rf"(?m)^{name}=", text):
        text = re.sub(rf"(?m)^{name}=.*$", lambda _: line, text)
    else:
        text = text + ("" if text.endswith("\n") or not text else "\n") + line + "\n"
    with open_private(env) as out:
        out.write(text)


SECRETS = (
    "MYSQL_PASSWORD",
    "MYSQL_ROOT_PASSWORD",
    "INFLUXDB_TOKEN",
    "INFLUXDB_ADMIN_TOKEN",
    "INFLUXDB_PASSWORD",
    "AWS_SECRET_ACCESS_KEY",
)


def redact(text):
    """A message with every secret of the settings replaced by ***: a failing command or
    a server's answer may quote one, and error lines end up in chats and screenshots."""
    try:
        settings = read_settings()
    except Fail:
        return text
    for name in SECRETS:
        if len(settings.get(name) or "") >= 4:
            text = text.replace(settings[name], "***")
    return text


def exported_overrides():
    """Settings exported in the shell: they win over .env, which is easy to forget."""
    names = {**_dotenv_values(ROOT / ".env.example"), **_dotenv_values(ROOT / ".env")}
    return sorted(name for name in names if name in os.environ)


def log(name, message):
    print(f"{name:<9} {message}", flush=True)


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
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def private_state():
    """.services/, readable by its owner only: logs, pid files and init scripts live there.
    A folder made by an older version (0755) is made private too."""
    STATE.mkdir(mode=0o700, exist_ok=True)
    if os.name == "posix" and STATE.stat().st_mode & 0o077:
        STATE.chmod(0o700)
    return STATE


def open_private(path, mode="w", owner=None):
    """Open a file for writing that only its owner can read, created so from the start
    (a chmod after writing leaves a moment when others can read it). `owner`: the
    servers' user (name, uid, gid), when the file is theirs to read."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)  # an older file, made before this rule, is made private too
    if owner:
        os.fchown(fd, owner[1], owner[2])
    return os.fdopen(fd, mode)


def identity(pid):
    """(start time in clock ticks since boot, executable) of a process, from /proc; where
    there is no /proc (macOS), (None, None): the pid alone is then trusted."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        started = int(stat.rsplit(")", 1)[1].split()[19])  # field 22, after comm
    except (OSError, ValueError, IndexError):
        return None, None
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:  # another user's process: its start time still tells it apart
        exe = None
    return started, exe


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
        if isinstance(record, int):  # a pid file of an older version: the bare number
            record = self._adopt(record)
        try:
            pid = int(record["pid"])
        except (KeyError, TypeError, ValueError):
            return None
        if not pid_alive(pid) or identity(pid) != (record.get("started"), record.get("exe")):
            return None
        return pid

    def _adopt(self, pid):
        """An old bare-number pid file counts only for a live process that runs in this
        checkout's .services/NAME (where start() runs it); it is rewritten in full."""
        try:
            cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            return None
        if not any(f == cwd or f in cwd.parents for f in (self.dir, self.data)):
            return None
        started, exe = identity(pid)
        record = {"pid": pid, "started": started, "exe": exe}
        self.pidfile.write_text(json.dumps(record) + "\n")
        return record

    def start(self, argv, port):
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
        if as_root():  # which checkout these servers belong to (owners.py reads it)
            (data_home() / "checkout").write_text(str(ROOT) + "\n")
        user = runtime_user()
        with open_private(self.logfile, "ab") as out:
            proc = subprocess.Popen(
                argv,
                cwd=self.data,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # outlives `make services`; stopped by pid
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


def run(argv, what, progress=None, every=15, **kwargs):
    """Run a set-up command; on failure raise Fail with the end of its output.

    progress=(name, stage, expected) prints, every `every` seconds, what is being done
    and for how long, so that a long build never looks like a hang.
    """
    if progress is None:
        proc = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    else:
        name, stage, expected = progress
        log(name, f"{stage} (the whole build takes {expected})")
        started = time.monotonic()
        with subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs
        ) as child:
            while True:
                try:
                    out, err = child.communicate(timeout=every)
                    break
                except subprocess.TimeoutExpired:
                    elapsed = time.monotonic() - started
                    log(name, f"still {stage}: {elapsed:.0f} s so far, of {expected} in all")
        proc = subprocess.CompletedProcess(argv, child.returncode, out, err)
    if proc.returncode != 0:
        output = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise Fail(f"{what} failed (exit {proc.returncode}): {' '.join(map(str, argv))}\n{output}")
    return proc.stdout


def apt_install(packages, why):
    """Install Debian packages as root, without letting them start system services."""
    if getattr(os, "geteuid", lambda: -1)() != 0 or not shutil.which("apt-get"):
        raise Fail(f"{why}: install {' '.join(packages)} (or use Docker: docker compose up -d)")
    policy = Path("/usr/sbin/policy-rc.d")
    ours = not policy.exists()
    if ours:  # tells the packages' scripts not to start their daemons
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    argv = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    try:
        if subprocess.run(argv, env=env, capture_output=True).returncode != 0:
            run(["apt-get", "update", "-q"], "apt-get update", env=env)
            run(argv, f"apt-get install {' '.join(packages)}", env=env)
    finally:
        if ours:
            policy.unlink(missing_ok=True)


def compose_plugin_present():
    """True when `docker compose` (the CLI plugin, not necessarily an engine) answers."""
    try:
        proc = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


def which(*names):
    """The first of names on PATH or in the sbin folders, where servers live."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/sbin"])
    for name in names:
        found = shutil.which(name, path=path)
        if found:
            return found
    return None


def go_build(
    module, version, package, binary, prepare=None, flags=(), name="go", expected="minutes"
):
    """Build `package` of a Go module version from the module proxy into `binary`.

    `go install module/pkg@version` refuses modules whose go.mod has replace or
    exclude directives, so this builds inside a writable copy of the downloaded module.
    prepare(src, work) may return extra environment variables for the build.
    """
    if not which("go"):
        raise Fail(f"building {module}@{version} needs Go on PATH")
    work = binary.parent / (binary.name + "-build")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    info = json.loads(
        run(
            ["go", "mod", "download", "-json", f"{module}@{version}"],
            "go mod download",
            progress=(name, f"downloading {module}@{version}", expected),
            cwd=work,
        )
    )
    if "Dir" not in info:
        raise Fail(f"go mod download {module}@{version}: {info.get('Error', info)}")
    src = work / "src"
    shutil.copytree(info["Dir"], src)
    subprocess.run(["chmod", "-R", "u+w", str(src)], check=True)
    env = dict(os.environ, GOFLAGS="-buildvcs=false")
    env.update((prepare(src, work) if prepare else None) or {})
    partial = binary.with_name(binary.name + ".partial")
    commit = info.get("Origin", {}).get("Hash", "")[:10]
    ldflags = f"-X main.version={version} -X main.commit={commit}"
    run(
        ["go", "build", *flags, "-ldflags", ldflags, "-o", str(partial), package],
        f"go build {module}",
        progress=(name, "compiling and linking", expected),
        cwd=src,
        env=env,
    )
    partial.rename(binary)
    _digest_file(binary).write_text(_sha256_of(binary) + "\n")
    shutil.rmtree(work, ignore_errors=True)


def _digest_file(binary):
    return binary.with_name(binary.name + ".sha256")


def _sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified(binary):
    """A program built into the cache is run only while it is the one built here: its
    SHA-256 was recorded at build time (a cache from an older version records it now)."""
    record = _digest_file(binary)
    if not record.exists():
        record.write_text(_sha256_of(binary) + "\n")
    elif record.read_text().strip() != _sha256_of(binary):
        raise Fail(
            f"{binary} is not the program built here (its SHA-256 changed since): delete "
            f"{binary.parent} and it is built again"
        )
    return binary


def print_built_tool(module, version, package, binary, name, expected):
    """For a command-line tool the tests use: build it once into the cache, print its path.

    Progress goes to stderr, so that stdout carries only the path. Returns an exit code.
    """
    if not binary.exists():
        print(f"building {name} {version} into {binary} (once)", file=sys.stderr)
        try:
            with contextlib.redirect_stdout(sys.stderr):
                go_build(module, version, package, binary, name=name, expected=expected)
        except Fail as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    try:
        print(verified(binary))
    except Fail as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
