"""Programs the native servers need: Debian packages, Go builds cached once, checksums."""

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .common import Fail, log, run


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

    def build(partial):
        _go_build(module, version, package, binary, partial, prepare, flags, name, expected)

    build_once(binary, build, name)


def build_once(binary, build, name):
    """Make `binary` with build(partial) unless it exists; one builder at a time.

    Two checkouts starting their servers at once share the cache: without the lock, both
    built into the same `.partial` file and the second rename failed (seen here: one
    `make test` ended in FileNotFoundError on influxd.partial). The second now waits for
    the first and uses its program. Returns True when this call built it.
    """
    binary.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(binary.with_name(binary.name + ".lock"), name):
        if binary.exists():
            return False
        partial = binary.with_name(binary.name + ".partial")
        build(partial)
        partial.rename(binary)
        _digest_file(binary).write_text(sha256_of(binary) + "\n")
        return True


@contextlib.contextmanager
def _exclusive(path, name):
    """An exclusive lock on `path` across processes (flock; Windows builds no servers)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(name, f"another checkout is building {path.stem} into this cache: waiting for it")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _go_build(module, version, package, binary, partial, prepare, flags, name, expected):
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
    commit = info.get("Origin", {}).get("Hash", "")[:10]
    ldflags = f"-X main.version={version} -X main.commit={commit}"
    run(
        ["go", "build", *flags, "-ldflags", ldflags, "-o", str(partial), package],
        f"go build {module}",
        progress=(name, "compiling and linking", expected),
        cwd=src,
        env=env,
    )
    shutil.rmtree(work, ignore_errors=True)


def _digest_file(binary):
    return binary.with_name(binary.name + ".sha256")


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified(binary):
    """A program built into the cache is run only while it is the one built here: its
    SHA-256 was recorded at build time (a cache from an older version records it now).
    The record sits beside the program, in the same cache folder: it catches accidents (a
    build cut short, a disk error, a stray copy), not tampering, since whoever can write
    the program can write the record too. That is you (your ~/.cache) and root; the
    servers' user never can: as root, it runs a root-owned copy (places.shared_copy)."""
    record = _digest_file(binary)
    if not record.exists():
        record.write_text(sha256_of(binary) + "\n")
    elif record.read_text().strip() != sha256_of(binary):
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
