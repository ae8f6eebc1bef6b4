#!/usr/bin/env python3
"""Create or refresh the project's virtualenv: `make install` runs this with $(PYTHON).

    python3 -m tools.install [--venv .venv] [--requirements requirements.txt]

- Refuses a Python older than 3.11 in one line (before pip says anything).
- Rebuilds the virtualenv when it was made by another Python than this one (after
  switching interpreters, the old one would keep failing).
- Installs requirements.txt again when it changed since the last install, or when an
  installed version differs from its pin (a package upgraded or downgraded by hand).

Standard library only, and no syntax newer than Python 3.6, so that an old Python
reaches the version check instead of a SyntaxError.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

from .platforms import command, this_system, venv_python

MIN_PYTHON = (3, 11)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Every value this repository has ever published for a secret (.env.example, the compose
# files' defaults, section 04's old fallback key): anyone who read it knows them.
# `make install` replaces them in .env, and `make doctor` names any that remain.
PUBLISHED = (
    "madebymakeinstall", "made-by-make-install", "lesson17local", "lesson17-local-dev-token",
    "password123",  # pragma: allowlist secret
)  # fmt: skip
SECRET_SETTINGS = (
    "MYSQL_PASSWORD", "MYSQL_ROOT_PASSWORD", "INFLUXDB_TOKEN", "INFLUXDB_ADMIN_TOKEN",
    "INFLUXDB_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
)  # fmt: skip


def published_secrets(text):
    """The secret settings of an .env's text that hold a value this repository published."""
    found = re.findall(r"(?m)^(?:export[ \t]+)?([A-Z_]+)[ \t]*=[ \t]*['\"]?([^'\"\s#]*)", text)
    return [name for name, value in found if name in SECRET_SETTINGS and value in PUBLISHED]


def python_problem(version):
    """A one-line complaint about this interpreter's version, or None."""
    if tuple(version[:2]) >= MIN_PYTHON:
        return None
    again = "make install PYTHON=python3.{}"  # macOS's own python3 is 3.9
    if this_system() == "Windows":
        again = "py -3.{} tasks.py install"
    return (
        "needs Python {}.{}+, found {} ({}). Install a newer Python and run `{}` (or newer)".format(
            MIN_PYTHON[0],
            MIN_PYTHON[1],
            ".".join(map(str, version[:3])),
            sys.executable,
            again.format(MIN_PYTHON[1]),
        )
    )


def in_use(venv, exc):
    """One line for a virtualenv that cannot be removed, and the way forward."""
    return (
        f"cannot remove {venv} ({exc}): close what uses it (an editor, a terminal where it "
        "is activated, a running script)"
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


def pins(requirements):
    """{name: version} of the `name==version` lines of a requirements file."""
    found = {}
    with open(requirements) as f:
        for line in f:
            name, sep, version = line.split("#", 1)[0].strip().partition("==")
            if sep:
                found[name.strip()] = version.strip()
    return found


CHECK_VERSIONS = """
import json, sys
from importlib.metadata import PackageNotFoundError, version
wrong = {}
for name, pinned in json.loads(sys.argv[1]).items():
    try:
        found = version(name)
    except PackageNotFoundError:
        found = None
    if found != pinned:
        wrong[name] = [found, pinned]
print(json.dumps(wrong))
"""


def version_mismatches(python, requirements):
    """{name: (installed or None, pinned)} for the pins the virtualenv does not meet."""
    proc = subprocess.run(
        [python, "-c", CHECK_VERSIONS, json.dumps(pins(requirements))],
        stdout=subprocess.PIPE,
        universal_newlines=True,  # noqa: UP021 (`text=` is Python 3.7+; this runs on 3.6)
    )
    if proc.returncode != 0:
        return {"(the virtualenv's Python)": ("broken", "working")}
    return {name: tuple(pair) for name, pair in json.loads(proc.stdout).items()}


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
    python = venv_python(args.venv)
    found = venv_version(args.venv)
    if os.path.isdir(args.venv) and not os.path.exists(os.path.join(args.venv, "pyvenv.cfg")):
        print(
            f"error: {args.venv} is a folder but not a virtualenv (no pyvenv.cfg): choose another "
            "VENV; install deletes nothing but an old virtualenv",
            file=sys.stderr,
        )
        return 1
    if os.path.isdir(args.venv) and (found != wanted or not os.path.exists(python)):
        was = ".".join(map(str, found)) if found else "an unknown Python"
        say("{} was made with {}, not {}.{}: rebuilding it".format(args.venv, was, *wanted))
        try:
            shutil.rmtree(args.venv)
        except OSError as exc:  # Windows: WinError 32, a file in use (an editor, a shell)
            print(f"error: {in_use(args.venv, exc)}, then `{command('install')}` again",
                  file=sys.stderr)  # fmt: skip
            return 1
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
    wrong = version_mismatches(python, args.requirements) if installed == wanted_digest else {}
    if wrong:
        say(
            "repairing the versions that differ from their pins: "
            + ", ".join(
                "{} {} (pinned {})".format(n, f or "missing", p) for n, (f, p) in wrong.items()
            )
        )
    if installed != wanted_digest or wrong:
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
