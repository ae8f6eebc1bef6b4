"""Every choice that depends on the student's operating system, in one place.

    venv_python(venv)        where a virtualenv keeps its Python
    native_refusal()         why the servers cannot run natively here (None: they can)
    command(target)          how this OS types a task: `make demo` or `py tasks.py demo`

Each takes the system as an argument (default: this machine's, as platform.system()
names it: "Linux", "Darwin", "Windows"), so the tests try every OS on any machine.
Standard library only, Python 3.6 syntax: install.py imports it before any check.
"""

import os
import platform


def this_system():
    return platform.system()


def venv_python(venv, system=None):
    """The virtualenv's interpreter: Scripts\\python.exe on Windows, bin/python elsewhere."""
    if (system or this_system()) == "Windows":
        return os.path.join(str(venv), "Scripts", "python.exe")
    return os.path.join(str(venv), "bin", "python")


def native_refusal(system=None):
    """One line when the servers cannot be started without Docker on this OS, else None."""
    if (system or this_system()) == "Windows":
        return (
            "on Windows the servers run in Docker: start Docker Desktop and run "
            "`py tasks.py services` again, or use GitHub Codespaces or WSL2 (README: Windows)"
        )
    return None


def command(target, system=None):
    """How a student on this OS types a task: `make X` where make is at home, else tasks.py."""
    if (system or this_system()) == "Windows":
        return "py tasks.py " + target
    return "make " + target
