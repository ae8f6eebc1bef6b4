"""What every part of the service manager shares: where the checkout is, the one-message
error (Fail), a log line, and running a set-up command.

The manager's files, by job: env_settings.py (the .env settings), places.py (who the
servers run as, where their data lives), processes.py (background servers, waits),
builds.py (packages and cached builds), server.py / servers.py (the servers as objects),
services.py (the command), owners.py (who holds a port), look.py (a look inside).
"""

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STATE = ROOT / ".services"  # data, logs and pid files; git-ignored
PROC = Path("/proc")  # the kernel's process and socket tables (Linux; macOS has none)
CACHE = Path(os.getenv("XDG_CACHE_HOME", Path.home() / ".cache")) / "lesson-17"  # built binaries


class Fail(Exception):
    """A problem the user can act on: printed as one message, exit code 1."""


def log(name, message):
    print(f"{name:<9} {message}", flush=True)


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
