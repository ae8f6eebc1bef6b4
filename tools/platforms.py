"""Every choice that depends on the student's operating system, in one place.

    venv_python(venv)        where a virtualenv keeps its Python
    native_refusal()         why the servers cannot run natively here (None: they can)
    command(target)          how this OS types a task: `make demo` or `py tasks.py demo`
    tasks_py(target)         tasks.py typed directly: `python3 tasks.py X` or `py tasks.py X`
    script_command(script)   one lesson script as this OS runs it, from the root
    unset_command(names)     how this OS's shell drops exported variables
    for_this_os(text)        make-form help text (make demo SECTION=03) in this OS's form
    emulation_note()         on arm64 (Apple Silicon): what runs emulated, and what it needs

Each takes the system as an argument (default: this machine's, as platform.system()
names it: "Linux", "Darwin", "Windows"), so the tests try every OS on any machine.
Standard library only, Python 3.6 syntax: install.py imports it before any check.
"""

import os
import platform
import re
import shutil


def this_system():
    return platform.system()


def venv_python(venv, system=None):
    """The virtualenv's interpreter: Scripts\\python.exe on Windows, bin/python elsewhere."""
    if (system or this_system()) == "Windows":
        return os.path.join(str(venv), "Scripts", "python.exe")
    return os.path.join(str(venv), "bin", "python")


# What the native path runs or builds with, where no apt-get can install it (macOS).
NATIVE_TOOLS = {
    "MariaDB or MySQL": ("mariadbd", "mysqld"),
    "Java": ("java",),
    "Go": ("go",),
    "Rust": ("cargo",),
    "Node": ("npm",),
}


def native_refusal(system=None):
    """One line when the servers cannot be started without Docker on this OS, else None.
    On macOS they can only when the native path's tools are all there (no apt-get)."""
    system = system or this_system()
    if system == "Windows":
        return (
            "on Windows the servers run in Docker: start Docker Desktop and run "
            "`py tasks.py services` again, or use GitHub Codespaces or WSL2 (README: Windows)"
        )
    if system == "Darwin":
        missing = [name for name, programs in NATIVE_TOOLS.items()
                   if not any(shutil.which(p) for p in programs)]  # fmt: skip
        if missing:
            return (
                "on macOS the servers run in Docker: start Docker Desktop and run `make "
                "services` again (to run them without Docker, install {})".format(
                    ", ".join(missing)
                )
            )
    return None


def command(target, system=None):
    """How a student on this OS types a task: `make X` where make is at home, else tasks.py."""
    if (system or this_system()) == "Windows":
        return "py tasks.py " + target
    return "make " + target


def emulation_note(machine=None):
    """One line on an arm64 machine (Apple Silicon), else None: the DynamoDB Local image
    is published for x86-64 only (lesson-17/04/docker-compose.yml pins linux/amd64)."""
    if (machine or platform.machine()).lower() not in ("arm64", "aarch64"):
        return None
    return (
        "arm64: DynamoDB Local's image exists for x86-64 only, so Docker runs it emulated; "
        "on a Mac turn on Docker Desktop's \"Use Rosetta for x86_64/amd64 emulation on "
        'Apple Silicon" (Settings, General), or it may stop with "CPU does not support '
        'x86-64-v2". MySQL and InfluxDB run natively'
    )


def tasks_py(target, system=None):
    """tasks.py as typed by who runs it directly: `py` is Windows' launcher (its `python3`
    is only the Store's alias)."""
    return ("py" if (system or this_system()) == "Windows" else "python3") + " tasks.py " + target


def script_command(script, system=None):
    """One lesson script ("03/main.py") as the lesson runs it, from the repository root:
    `(cd lesson-17/03 && python3 main.py)`; in PowerShell, which has no `&&` before 7 nor
    `python3`, `py tasks.py run 03/main.py` (the same script, in its folder, with .venv)."""
    if (system or this_system()) == "Windows":
        return "py tasks.py run " + script
    folder, name = script.split("/")
    return f"(cd lesson-17/{folder} && python3 {name})"


def unset_command(names, system=None):
    """Drop exported variables: `unset A B`, or in PowerShell `Remove-Item Env:A, Env:B`."""
    if (system or this_system()) == "Windows":
        return "Remove-Item " + ", ".join("Env:" + name for name in names)
    return "unset " + " ".join(names)


def for_this_os(text, system=None):
    """Help written with make's variables ("make demo SECTION=03 or tasks.py demo 03"):
    on Windows only the tasks.py form, typed with `py`."""
    if (system or this_system()) != "Windows":
        return text
    text = re.sub(r"(?:make [\w-]+(?: [A-Z]+=\S+)*|[A-Z]+=\S+) or tasks\.py ", "py tasks.py ", text)
    text = re.sub(r"; inside an exercise's folder: make [^)]*", "", text)
    return text.replace("PYTHON=python3.x to choose", "py -3.x tasks.py install chooses the Python")
