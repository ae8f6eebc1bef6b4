"""Every command the README gives a Windows student, run with Windows simulated, and
every hint they print in the form PowerShell types (issue 22).

The simulation: each Python process (tasks.py, the service manager, the lesson scripts)
starts with a sitecustomize that makes platform.system() answer "Windows", and the
virtualenv has Windows' layout (Scripts\\python.exe, here a link to .venv's Python).
What it cannot show: PowerShell itself (`.venv\\Scripts\\Activate.ps1`, `;`, `$env:`),
backslashes in paths (given here with "/"), and the `py` launcher (this Python stands
in for it). Windows has no native servers: where this machine runs them natively, the
simulated Windows is one "with these servers", as test_tasks.py's hint test has it.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from utils.engine import engine
from utils.paths import LESSON, ROOT
from utils.scripts import ORM_OUTPUT

README = (ROOT / "README.md").read_text()
BLOCK = re.search(r"```powershell\n(.*?)```", README, re.S)[1]
COMMANDS = [line.split("#")[0].strip() for line in BLOCK.splitlines() if line.strip()]

SITE = """
import platform
platform.system = lambda: "Windows"
try:
    from tools import platforms
except ImportError:  # a lesson script, in its folder
    pass
else:
    if {native}:  # this machine's servers are native: a Windows "with these servers"
        platforms.native_refusal = lambda system=None: None
"""

# What a PowerShell student cannot type, in the hints printed to them.
POSIX = re.compile(r"\bmake [a-z]|\bpython3\b|&&|\bunset\b|\(cd |\.venv/bin|\bsource\b")


@pytest.fixture(scope="module")
def windows(tmp_path_factory):
    """(environment, venv): a sitecustomize that says Windows, and a Windows-layout venv
    that is .venv itself (its packages, its install marker)."""
    base = tmp_path_factory.mktemp("windows")
    (base / "site").mkdir()
    (base / "site" / "sitecustomize.py").write_text(SITE.format(native=engine() == "native"))
    venv = base / "venv"
    (venv / "Scripts").mkdir(parents=True)
    (venv / "Scripts" / "python.exe").symlink_to(ROOT / ".venv" / "bin" / "python")
    (venv / "lib").symlink_to(ROOT / ".venv" / "lib")
    for name in ("pyvenv.cfg", ".installed"):
        shutil.copy(ROOT / ".venv" / name, venv / name)
    # The root too, so that sitecustomize finds tools.platforms before `-m` adds it.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(base / "site"), str(ROOT)])}
    return env, venv


def typed(command, windows, cwd=ROOT, extra=None):
    """A README command as the student types it: `py tasks.py X` or `python X`."""
    env, venv = windows
    words = command.split()
    if words[0] == "py":  # the launcher runs tasks.py with a Python; --venv: its .venv
        argv = [sys.executable, words[1], "--venv", str(venv), *words[2:]]
    else:  # `python main.py` with .venv activated
        argv = [str(venv / "Scripts" / "python.exe"), *words[1:]]
    proc = subprocess.run(
        argv, cwd=cwd, env={**env, **(extra or {})}, capture_output=True, text=True, timeout=600
    )
    posix = [line for line in (proc.stdout + proc.stderr).splitlines() if POSIX.search(line)]
    assert not posix, f"{command}: hints in POSIX form: {posix}"
    return proc


def test_the_simulation_is_windows(windows):
    env, venv = windows
    check = subprocess.run(
        [str(venv / "Scripts" / "python.exe"), "-c", "import platform, sys; print(platform"
         ".system(), sys.prefix)"],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert check.stdout.split() == ["Windows", str(venv)], check.stdout + check.stderr


def test_the_readme_block_is_the_one_tested_here():
    """Each line of the README's PowerShell block is run below (or said why not)."""
    assert COMMANDS == [
        "py tasks.py services",
        "py tasks.py demo",
        "py tasks.py run 03/main.py",
        r"py tasks.py check 1 lesson-17\practice\1_user_management\starter.py",
        r".venv\Scripts\Activate.ps1",  # PowerShell's own: not run here
        r"cd lesson-17\03; python main.py",
        r'$env:SQL_ECHO = "1"; python main.py; Remove-Item Env:SQL_ECHO',
        r"cd ..\..",  # back at the root, where the next `py tasks.py` is typed
    ]


def test_services_demo_and_run_as_the_readme_gives_them(windows, mysql_conn, dynamodb, influx):
    services = typed("py tasks.py services", windows)
    assert services.returncode == 0, services.stdout + services.stderr
    assert "(settings: .env; check: py tasks.py services-status)" in services.stdout
    demo = typed("py tasks.py demo 01", windows)  # one section: the whole demo is `make demo`'s
    assert demo.returncode == 0, demo.stderr
    assert "\n    py tasks.py run 01/main.py\n" in demo.stdout
    run = typed("py tasks.py run 03/main.py", windows)
    assert run.returncode == 0 and run.stdout.splitlines()[-len(ORM_OUTPUT) :] == ORM_OUTPUT


def test_check_from_the_root_as_the_readme_gives_it(windows, mysql_conn):
    starter = "lesson-17/practice/1_user_management/starter.py"  # backslashes on Windows
    proc = typed(f"py tasks.py check 1 {starter}", windows)
    assert proc.returncode != 0 and "TODO" in proc.stdout, proc.stdout + proc.stderr


def test_a_lesson_script_in_its_folder_and_with_sql_echo(windows, mysql_conn):
    plain = typed("python main.py", windows, cwd=LESSON / "03")
    assert plain.returncode == 0 and plain.stdout.splitlines() == ORM_OUTPUT, plain.stderr
    echo = typed("python main.py", windows, cwd=LESSON / "03", extra={"SQL_ECHO": "1"})
    assert echo.stdout.splitlines() == ORM_OUTPUT and "CREATE TABLE" in echo.stderr


@pytest.mark.parametrize(
    ("command", "cwd", "extra", "hint"),
    [
        ("py tasks.py deploy", ROOT, {}, "`py tasks.py help` lists them"),
        ("py tasks.py check", ROOT, {}, "say which exercise: `py tasks.py check 1` (1 to 6)"),
        ("py tasks.py help", ROOT, {}, "(py tasks.py demo 03: one section;"),
        ("python main.py", LESSON / "03", {"MYSQL_PORT": "1"}, "`py tasks.py services`"),
        ("python main.py", LESSON / "04", {"DYNAMODB_HOST": "http://127.0.0.1:1"},
         "`py tasks.py services`"),
        ("python write.py", LESSON / "05", {"INFLUXDB_URL": "http://127.0.0.1:1"},
         "`py tasks.py services`"),
        ("py tasks.py doctor", ROOT, {"MYSQL_PORT": "1"}, "Env:MYSQL_PORT` to use"),
    ],
)  # fmt: skip
def test_every_hint_is_typed_as_powershell_types_it(windows, command, cwd, extra, hint):
    proc = typed(command, windows, cwd=cwd, extra=extra)
    assert hint in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_no_tool_replaces_itself_with_another_program():
    """On Windows os.exec* starts the program and returns the prompt at once, while the
    program still reads the console (cpython#101191): mysql-shell waits for a child."""
    for path in [ROOT / "tasks.py", *(ROOT / "tools").rglob("*.py")]:
        assert not re.search(r"\bos\.exec[lv]", path.read_text()), path.relative_to(ROOT)


# As Windows words it (str() of its PermissionError, whose winerror is 32).
WIN32 = PermissionError(
    "[WinError 32] The process cannot access the file because it is being used by another "
    "process: 'python.exe'"
)


def test_a_venv_in_use_stops_install_and_clean_in_one_line(tmp_path, monkeypatch, capsys):
    """Windows will not remove a .venv an editor holds open: install (rebuilding it for
    another Python) and clean each say so in one line, with the way forward."""
    import tasks
    from tools import install, platforms

    monkeypatch.setattr(platforms, "this_system", lambda: "Windows")
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("version = 3.0.1\n")  # made by another Python

    def in_use(path, *args, **kwargs):
        raise WIN32

    monkeypatch.setattr(shutil, "rmtree", in_use)
    monkeypatch.setattr(sys, "argv", ["install", "--venv", str(venv)])
    assert install.main() == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: cannot remove {venv} ([WinError 32]")
    assert line.endswith("close what uses it (an editor, a terminal where it is activated, a "
                         "running script), then `py tasks.py install` again")  # fmt: skip

    monkeypatch.setattr(tasks.Tasks, "sh", lambda self, *argv, **kwargs: 0)  # no `down`
    with pytest.raises(tasks.Failed):
        tasks.Tasks(venv, dry_run=False).clean()
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: clean stopped: cannot remove {venv} ([WinError 32]")
    assert line.endswith("then `py tasks.py clean` again")
