#!/usr/bin/env python3
"""Create or refresh the project's virtualenv: `make install` runs this with $(PYTHON).

    python3 tools/install.py [--venv .venv] [--requirements requirements.txt]

- Refuses a Python older than 3.11 in one line (before pip says anything).
- Rebuilds the virtualenv when it was made by another Python than this one (after
  switching interpreters, the old one would keep failing).
- Installs requirements.txt again only when it changed since the last install.

Standard library only, and no syntax newer than Python 3.6, so that an old Python
reaches the version check instead of a SyntaxError.
"""

import argparse
import hashlib
import os
import shutil
import subprocess
import sys

MIN_PYTHON = (3, 11)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def python_problem(version):
    """A one-line complaint about this interpreter's version, or None."""
    if tuple(version[:2]) >= MIN_PYTHON:
        return None
    return (
        "needs Python {}.{}+, found {} ({}). Install a newer Python and run `make install "
        "PYTHON=python3.11` (or newer)".format(
            MIN_PYTHON[0], MIN_PYTHON[1], ".".join(map(str, version[:3])), sys.executable
        )
    )


def venv_version(venv):
    """The Python version the virtualenv was made with, from its pyvenv.cfg, or None."""
    try:
        with open(os.path.join(venv, "pyvenv.cfg")) as cfg:
            for line in cfg:
                key, _, value = line.partition("=")
                if key.strip() in ("version", "version_info"):
                    return tuple(int(part) for part in value.strip().split(".")[:2])
    except (OSError, ValueError):
        return None
    return None


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def say(message):
    print("install: " + message, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", default=os.path.join(ROOT, ".venv"))
    parser.add_argument("--requirements", default=os.path.join(ROOT, "requirements.txt"))
    args = parser.parse_args()

    problem = python_problem(sys.version_info)
    if problem:
        print("error: " + problem, file=sys.stderr)
        return 1

    wanted = tuple(sys.version_info[:2])
    python = os.path.join(args.venv, "bin", "python")
    found = venv_version(args.venv)
    if os.path.isdir(args.venv) and (found != wanted or not os.path.exists(python)):
        was = ".".join(map(str, found)) if found else "an unknown Python"
        say("{} was made with {}, not {}.{}: rebuilding it".format(args.venv, was, *wanted))
        shutil.rmtree(args.venv)
    if not os.path.isdir(args.venv):
        say("creating {} with Python {}.{}".format(args.venv, *wanted))
        made = subprocess.run([sys.executable, "-m", "venv", args.venv])
        if made.returncode != 0:
            shutil.rmtree(args.venv, ignore_errors=True)
            print(
                f"error: `{sys.executable} -m venv` failed; on Debian or Ubuntu: "
                "sudo apt-get install python3-venv",
                file=sys.stderr,
            )
            return 1

    marker = os.path.join(args.venv, ".installed")
    wanted_digest = digest(args.requirements)
    try:
        with open(marker) as f:
            installed = f.read().strip()
    except OSError:
        installed = None
    if installed != wanted_digest:
        say(f"installing {os.path.relpath(args.requirements)}")
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if subprocess.run(pip + ["-r", args.requirements]).returncode != 0:
            print(f"error: pip could not install {args.requirements}", file=sys.stderr)
            return 1
        with open(marker, "w") as f:
            f.write(wanted_digest + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
