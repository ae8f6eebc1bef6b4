"""Who the servers run as, and where their data lives, readable by them alone."""

import os
import secrets
import shutil
import subprocess
from pathlib import Path

from . import common
from .builds import sha256_of
from .common import STATE, Fail, run

# No server runs as the OS root user. Started by a normal user, they run as that user
# with their data in .services/NAME. Started by root (who may apt-get MariaDB), they run
# as the user who called sudo (SUDO_USER) or, for a root login, a system user of this
# checkout's own, `lesson17-<checkout id>`, so that no checkout's server can read
# another's data; their data then lives in /var/lib/lesson-17/<checkout id>/NAME, owned
# by that user, since a user cannot reach into root's folders (/root, a `mktemp -d`
# clone), and the cached programs are copied to /var/lib/lesson-17/bin. Logs and pid
# files stay in .services/, written by the manager.
#
# What the servers' user owns, it can change: a link planted in its folder must never
# lead root's chmod or chown elsewhere (owned_folder opens without following links).
SERVICE_USER = "lesson17"  # the prefix of the servers' users, and the user of old versions
SHARED = Path("/var/lib/lesson-17")


def as_root():
    return getattr(os, "geteuid", lambda: -1)() == 0


def runtime_user():
    """(name, uid, gid) the servers run as when root starts them, else None (as oneself)."""
    if not as_root():
        return None
    import pwd

    own = f"{SERVICE_USER}-{checkout_id()}"  # a system user of this checkout alone
    name = os.environ.get("SUDO_USER") or own
    if name == "root":
        name = own
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        if name != own or not shutil.which("useradd"):
            raise Fail(
                "the servers do not run as root: run `make services` as your own user"
            ) from None
        run(
            ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir",
             "/nonexistent", "--shell", "/usr/sbin/nologin", own],
            f"useradd {own} (this checkout's servers' own user)",
        )  # fmt: skip
        entry = pwd.getpwnam(name)
    return entry.pw_name, entry.pw_uid, entry.pw_gid


def data_home():
    """Where the servers' data lives (see above)."""
    if not as_root():
        return STATE
    return SHARED / checkout_id()


ID_FILE = STATE / "checkout-id"


def checkout_id():
    """This checkout's name for its folder in /var/lib/lesson-17: random, and kept in
    .services/, so it goes when the checkout goes. A new clone at the path of a deleted
    one gets a new folder, never the old servers' data, which were set up with the old
    .env's passwords and tokens."""
    try:
        return ID_FILE.read_text().strip()
    except FileNotFoundError:
        pass
    new = secrets.token_hex(6)
    private_state()
    ID_FILE.write_text(new + "\n")
    return new


def _belongs_to_a_checkout(folder):
    """Is this /var/lib/lesson-17 folder still the data of the checkout it names?"""
    try:
        root = Path((folder / "checkout").read_text().strip())
    except OSError:
        return True  # not one of ours as we know them: left alone
    try:
        return (root / ".services" / "checkout-id").read_text().strip() == folder.name
    except OSError:  # the checkout, or its .services/, is gone
        return False


def _in_use(folder):
    """Does a live process run in this folder (a server of a checkout deleted under it)?
    From /proc, else psutil (macOS); where neither lists processes, it may: kept."""
    cwds = _working_folders()
    if not cwds:
        try:
            import psutil

            cwds = [Path(p.info["cwd"]) for p in psutil.process_iter(["cwd"]) if p.info["cwd"]]
        except (ImportError, OSError, IndexError):  # IndexError: psutil on an empty /proc
            return True
    return not cwds or any(cwd == folder or folder in cwd.parents for cwd in cwds)


def _working_folders():
    """The working folders /proc shows (ours; everyone's, for root); none without /proc."""
    found = []
    try:
        procs = list(common.PROC.iterdir())
    except OSError:
        return found
    for proc in procs:
        try:
            found.append(Path(os.readlink(proc / "cwd")))
        except OSError:  # not a process, gone, or another user's
            continue
    return found


def forget_gone_checkouts():
    """As root: delete the server data of checkouts that no longer exist (deleted, or
    cloned afresh at the same path), which nobody can log into any more. Returns the
    checkout paths whose data went."""
    gone = []
    if not as_root() or not SHARED.is_dir():
        return gone
    ours = data_home()
    for folder in sorted(SHARED.iterdir()):
        if folder.name == "bin" or not folder.is_dir() or folder == ours:
            continue
        if _belongs_to_a_checkout(folder) or _in_use(folder):
            continue
        try:
            checkout = (folder / "checkout").read_text().strip()
        except FileNotFoundError:  # another checkout's `services` is removing it
            continue
        shutil.rmtree(folder, onerror=_unless_gone)
        gone.append(checkout)
        _remove_user(f"{SERVICE_USER}-{folder.name}")
    return gone


def _unless_gone(function, path, excinfo):
    """rmtree's error handler: a file another process removed first is fine."""
    if not isinstance(excinfo[1], FileNotFoundError):
        raise excinfo[1]


def _remove_user(name):
    """The servers' user of a checkout that is gone (made by runtime_user), if there is one."""
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return
    run(["userdel", name], f"userdel {name} (the servers' user of a checkout that is gone)")


def owned_folder(path):
    """A folder only the servers' user can enter (0700, theirs). Never through a link: the
    servers' user may have planted one where it can write (say `files` -> /etc), and root
    must not chmod or chown what it points to. The folder is opened once, without
    following a link, and everything in it is changed through that handle."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:  # ELOOP or ENOTDIR: a link or a file where the folder should be
        raise Fail(f"{path} is not a folder but a link or a file: remove it ({exc})") from None
    try:
        os.fchmod(top, 0o700)  # also when it was made as the parent of another
        user = runtime_user()
        if user:
            os.fchown(top, user[1], user[2])
            for _, folders, files, fd in os.fwalk(dir_fd=top, follow_symlinks=False):
                for name in folders + files:
                    os.chown(name, user[1], user[2], dir_fd=fd, follow_symlinks=False)
    finally:
        os.close(top)
    return path


def as_user(user):
    """subprocess keyword arguments that run a server's program as the servers' user (not
    root), with nothing of the caller's environment but what it needs (server_env)."""
    if not user:
        return {"env": server_env()}
    name, uid, gid = user
    return {"user": uid, "group": gid, "extra_groups": [], "env": server_env()}


def server_env():
    """The whole environment a server starts with: a shell's exported tokens and
    passwords (GITHUB_TOKEN, AWS keys) and a server's own settings (INFLUXD_*) stay out."""
    if as_root():  # root's PATH may name root's own folders: the system's, for its user
        return {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME": "/", "LANG": "C.UTF-8"}  # fmt: skip
    path, home = os.environ.get("PATH", os.defpath), os.environ.get("HOME", "/")
    return {"PATH": path, "HOME": home, "LANG": "C.UTF-8"}


def shared_copy(source):
    """A program (file or folder) the servers' user can run: as root, a copy in
    /var/lib/lesson-17/bin (root's own, world-readable); else the source itself."""
    if not as_root():
        return source
    target = SHARED / "bin" / source.parent.name / source.name
    if not target.exists() or (source.is_file() and sha256_of(target) != sha256_of(source)):
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
