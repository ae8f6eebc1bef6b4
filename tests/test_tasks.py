"""`make X` and `python3 tasks.py X` are the same thing on every target, and every
OS-dependent choice (venv path, native-mode refusal, command forms) is made in
tools/platforms.py, tested here with each OS as its input."""

import ast
import os
import re
import shlex
import subprocess
import sys

import pytest

import tasks
from tools import platforms
from utils.paths import LESSON, ROOT, lesson_files
from utils.scripts import checkout_copy, run_script

PRACTICE_1 = LESSON / "practice" / "1_user_management"

ARGS = {"run": ["01/main.py"], "check": ["1"], "demo": ["01"]}  # targets that take some
MAKE_VARS = {"run": "SCRIPT=01/main.py", "check": "EXERCISE=1", "demo": "SECTION=01"}


def run(*argv, cwd=ROOT, **kwargs):
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=600, **kwargs)


def test_the_makefile_has_every_target_of_tasks_py_and_only_those():
    makefile = (ROOT / "Makefile").read_text()
    targets = re.findall(r"(?m)^([a-z-]+):", makefile)
    assert targets == tasks.TARGETS


@pytest.mark.parametrize("target", tasks.TARGETS)
def test_each_make_target_is_tasks_py_with_the_same_arguments(target):
    """`make -n` shows the one command each target runs: tasks.py with that target; and
    `tasks.py -n` has a plan for it (the commands it would run)."""
    extra = [MAKE_VARS[target]] if target in MAKE_VARS else []
    # The Makefile's own defaults: an exported PYTHON (a student's python3.12) or VENV
    # changes the command on purpose (`PYTHON ?= python3`), so they are left out here.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "VENV", "MAKEFLAGS")}
    made = run("make", "--no-print-directory", "-n", target, *extra, env=env)
    assert made.returncode == 0, made.stderr
    command = shlex.split(made.stdout)
    quietly = shlex.split(QUIETLY)  # every target ends a failure the same way
    assert command[-len(quietly) :] == quietly, made.stdout
    command = command[: -len(quietly)]
    while command[-1] == "":  # an optional make variable left empty
        command.pop()
    assert command == [
        "python3",
        "tasks.py",
        "--venv",
        ".venv",
        target,
        *ARGS.get(target, []),
    ]
    plan = run(sys.executable, "tasks.py", "-n", target, *ARGS.get(target, []))
    assert plan.returncode == 0, plan.stderr
    if target != "help":
        assert plan.stdout.strip(), f"tasks.py -n {target} plans nothing"


QUIETLY = re.search(r"(?m)^QUIETLY := (.*)$", (ROOT / "tools" / "quietly.mk").read_text())[1]


def test_a_failed_target_ends_with_status_1_its_one_line_and_no_make_line():
    """make's own `make: *** [Makefile:NN: demo] Error 2` only repeated the task's line:
    every target runs in make's question mode (tools/quietly.mk), with real make here."""
    said = "error: no section '09': choose 01, 02, 03, 04 or 05"
    for argv, cwd, line in [
        (["demo", "SECTION=9"], ROOT, said),  # tasks.py's usage error, status 2 inside
        (["run", "SCRIPT=nope.py"], ROOT, "error: name a lesson script with its section"),
        (["check", "FILE=mine.py"], PRACTICE_1, "error: there is no mine.py yet"),
    ]:
        proc = run("make", "--no-print-directory", *argv, cwd=cwd)
        assert proc.returncode == 1, (argv, proc.returncode, proc.stderr)
        (only,) = proc.stderr.splitlines()  # no make line after it
        assert only.startswith(line), (argv, proc.stderr)
    assert run("make", "--no-print-directory", "help").returncode == 0
    shown = run("make", "--no-print-directory", "-n", "demo", "SECTION=9")  # -n: shown, not run
    assert shown.returncode == 0 and shown.stdout.startswith("python3 tasks.py"), shown.stdout


def test_make_and_tasks_py_give_the_same_output_and_exit_code(mysql_conn, dynamodb, influx):
    """The same output, and each its exact exit code: tasks.py's usage errors are 2; make
    ends every failure with 1 and no line of its own (tools/quietly.mk)."""
    pairs = [
        (["make", "--no-print-directory", "help"], ["python3", "tasks.py", "help"], 0, 0),
        (
            ["make", "--no-print-directory", "demo", "SECTION=02"],
            ["python3", "tasks.py", "demo", "02"],
            0,
            0,
        ),
        (
            ["make", "--no-print-directory", "check"],
            ["python3", "tasks.py", "check"],
            1,
            2,
        ),
        (
            ["make", "--no-print-directory", "demo", "SECTION=9"],
            ["python3", "tasks.py", "demo", "9"],
            1,
            2,
        ),
    ]
    for with_make, with_tasks, make_code, tasks_code in pairs:
        a, b = run(*with_make), run(*with_tasks)
        assert a.stdout == b.stdout, with_tasks
        assert (a.returncode, b.returncode) == (make_code, tasks_code), with_tasks
        if a.returncode:  # the one-line error (Compose's progress on stderr varies in order),
            # whose advice is typed as each was typed: `make check EXERCISE=1`, `... check 1`
            same = [re.sub(r"`[^`]*`", "`...`", x.stderr.splitlines()[0]) for x in (a, b)]
            assert same[0] == same[1], with_tasks
    # 02, not 01: tasks.py runs in this checkout's folders, and 01 writes its SQLite files
    # there, which a parallel worker's run of 01 would meet (02 keeps its data in memory).
    demo = run("python3", "tasks.py", "demo", "02")
    assert f"=== lesson-17/02/main.py: {tasks.DEMO['02/main.py']}" in demo.stdout
    assert "    (cd lesson-17/02 && python3 main.py)" in demo.stdout
    assert "=== lesson-17/01" not in demo.stdout and "=== lesson-17/03" not in demo.stdout


def test_run_needs_no_activation_and_no_cd():
    """`py tasks.py run 02/main.py` prints what `cd lesson-17/02 && python3 main.py` does
    (02, not 01: 01 writes its files in this checkout's folder, see test above)."""
    proc = run(sys.executable, "tasks.py", "run", "02/main.py")
    assert proc.returncode == 0, proc.stderr
    assert (
        proc.stdout.splitlines()[-len(run_script("02", "main.py").lines) :]
        == run_script("02", "main.py").lines
    )
    missing = run(sys.executable, "tasks.py", "run", "01/nope.py")
    assert missing.returncode == 2 and "name a lesson script" in missing.stderr


def test_an_unknown_target_or_extra_arguments_are_one_line():
    proc = run(sys.executable, "tasks.py", "deploy")
    assert proc.returncode == 2 and proc.stderr.startswith("error: no target 'deploy'")
    proc = run(sys.executable, "tasks.py", "reset", "now")
    assert proc.returncode == 2 and proc.stderr.startswith("error: too many arguments for reset")


@pytest.mark.parametrize(
    ("system", "python", "refused", "typed"),
    [
        ("Windows", ["v", "Scripts", "python.exe"], True, "py tasks.py demo"),
        ("Linux", ["v", "bin", "python"], False, "make demo"),
        ("Darwin", ["v", "bin", "python"], True, "make demo"),  # no native tools on PATH
    ],
)
def test_each_os_gets_its_venv_path_native_mode_and_command_form(
    system, python, refused, typed, tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path))  # a laptop without MariaDB, Java, Go...
    assert platforms.venv_python("v", system).replace("\\", "/").split("/") == python
    assert bool(platforms.native_refusal(system)) is refused
    assert platforms.command("demo", system) == typed


def test_on_windows_without_docker_services_is_one_line_not_a_traceback(monkeypatch):
    """Native mode needs Linux tools; on Windows the service manager says where to go."""
    monkeypatch.setenv("SERVICES_ENGINE", "native")
    monkeypatch.setattr(platforms, "this_system", lambda: "Windows")
    from tools.services import common, servers

    with pytest.raises(common.Fail) as refused:
        servers.engine(for_up=True)
    assert str(refused.value).startswith(
        "on Windows the servers run in Docker: start Docker Desktop"
    )
    assert "Codespaces or WSL2" in str(refused.value)


def test_a_mac_without_docker_running_is_told_to_start_it_in_one_line(tmp_path, monkeypatch):
    """macOS has no apt-get: without Docker Desktop running, the native path would say
    "installing Debian's mariadb-server". Unless its tools really are there, one line
    says to start Docker Desktop."""
    monkeypatch.setattr(platforms, "this_system", lambda: "Darwin")
    monkeypatch.setenv("SERVICES_ENGINE", "native")  # what `auto` picks when docker is down
    monkeypatch.setenv("PATH", str(tmp_path))
    for program in ("mariadbd", "java", "go", "cargo"):  # Node's npm is missing
        (tmp_path / program).write_text("#!/bin/sh\n")
        (tmp_path / program).chmod(0o755)
    from tools.services import common, servers

    with pytest.raises(common.Fail) as refused:
        servers.engine(for_up=True)
    assert str(refused.value) == (
        "on macOS the servers run in Docker: start Docker Desktop and run `make services` "
        "again (to run them without Docker, install Node)"
    )
    (tmp_path / "npm").write_text("#!/bin/sh\n")
    (tmp_path / "npm").chmod(0o755)
    assert servers.engine(for_up=True) == "native"  # a Mac with every native tool


def test_lesson_scripts_of_the_demo_are_the_lesson_files():
    scripts = {f"{p.parent.name}/{p.name}" for p in LESSON.glob("0[1-5]/*.py")}
    assert set(tasks.DEMO) <= scripts


def test_the_service_managers_advice_is_typed_as_this_os_types_it(monkeypatch, capsys, mysql_conn):
    """On Windows, `make services` is advice a student cannot follow: every hint of the
    service manager and the doctor names the command through platforms.command()."""
    monkeypatch.setattr(platforms, "this_system", lambda: "Windows")
    monkeypatch.setenv("MYSQL_PORT", "1")  # nothing listens there
    from tools.services import servers, services

    monkeypatch.setattr(servers, "native_refusal", lambda: None)  # a Windows with these servers

    assert services.status() == 1
    problem = capsys.readouterr().err.splitlines()[0]
    assert problem.startswith("mysql: nothing answers (")
    assert problem.endswith("Start it with: py tasks.py services")


def test_demo_pauses_before_each_script_for_a_class(mysql_conn, dynamodb, influx):
    """PAUSE=1: each script waits for Enter, after its one-line point and command (02:
    its data stays in memory, where 01 would write in this checkout's folder)."""
    paused = subprocess.run(
        ["make", "--no-print-directory", "demo", "SECTION=02", "PAUSE=1"],
        cwd=ROOT,
        input="\n",
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert paused.returncode == 0, paused.stderr
    assert paused.stdout.count("[Enter to run]") == 1  # 02/main.py
    assert paused.stdout.index("[Enter to run]") < paused.stdout.index("User(id=1, name='alice'")
    closed = subprocess.run(  # no Enter comes (stdin closed): it stops, it does not loop
        ["python3", "tasks.py", "demo", "02", "pause"],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert closed.returncode != 0 and "User(id=1" not in closed.stdout


def test_lesson_commands_chain_from_the_repository_root():
    """Each command of the lesson README starts from the root and comes back to it."""
    readme = (LESSON / "README.md").read_text()
    commands = re.findall(r"(?m)^\(?cd lesson-17/.*$", readme)
    assert commands and all(c.startswith("(cd lesson-17/") and c.endswith(")") for c in commands)
    both = subprocess.run(
        ["bash", "-ec", f"{commands[0]}\n(cd lesson-17/02 && {sys.executable} main.py)"],
        cwd=checkout_copy(),  # this process's lesson-17/01 and 02: 01 writes tutorial.db
        capture_output=True,
        text=True,
    )
    assert both.returncode == 0 and "Name: Alice" in both.stdout, both.stderr


def test_a_wrong_pause_value_says_what_to_type_instead():
    proc = run(sys.executable, "tasks.py", "demo", "01", "yes")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: PAUSE is 1 or 0, not 'yes': `python3 tasks.py demo all pause` waits for Enter "
        "before each script"
    )
    made = run("make", "--no-print-directory", "demo", "SECTION=01", "PAUSE=yes")
    assert made.stderr.splitlines()[0].endswith(
        "`make demo PAUSE=1` waits for Enter before each script"
    )


def test_pause_without_a_terminal_says_how_to_run_the_demo_instead(mysql_conn, dynamodb, influx):
    """No Enter can come (stdin closed): the line says what to run instead, and it runs."""
    closed = subprocess.run(
        ["make", "--no-print-directory", "demo", "SECTION=1", "PAUSE=1"],  # 1: section 01
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert closed.returncode != 0 and "Name: Alice" not in closed.stdout
    # Under Docker, Compose's own progress lines come first on stderr (issue 24 still open)
    line = [x for x in closed.stderr.splitlines() if x.startswith("error: ")][0]
    assert line.startswith("error: PAUSE waits for Enter, and there is no input: run it in a "), (
        line
    )
    advice = re.search(r"`(make [^`]+)`$", line)[1]
    assert advice == "make demo SECTION=01", line
    instead = run(*shlex.split(advice), "--no-print-directory", stdin=subprocess.DEVNULL)
    assert instead.returncode == 0 and "Name: Alice" in instead.stdout, instead.stderr


def test_run_without_the_section_names_it_in_the_form_that_was_typed():
    made = run("make", "--no-print-directory", "run", "SCRIPT=main.py")
    assert made.stderr.splitlines()[0] == (
        "error: name a lesson script with its section: `make run SCRIPT=01/main.py` (main.py is "
        "in 01, 02, 03, 04)"
    )
    typed = run(sys.executable, "tasks.py", "run", "query.py")
    assert typed.stderr.strip() == (
        "error: name a lesson script with its section: `python3 tasks.py run 05/query.py`"
    )
    assert run("make", "--no-print-directory", "run", "SCRIPT=05/query.py").returncode in (0, 1)


def test_check_knows_the_exercise_from_its_files_path(mysql_conn):
    starter = "lesson-17/practice/1_user_management/starter.py"
    proc = run("make", "--no-print-directory", "check", f"FILE={starter}")
    assert "Exercise 1, user management: checking starter.py" in proc.stdout, proc.stderr
    assert "say which exercise" not in proc.stderr


def test_check_of_a_file_not_copied_yet_says_how_to_copy_it_and_the_copy_is_checked(mysql_conn):
    name = f"mine{os.getpid()}.py"  # its own name: other tests ask about mine.py meanwhile
    mine = PRACTICE_1 / name
    assert not mine.exists()
    try:
        proc = run("make", "--no-print-directory", "check", f"FILE={name}", cwd=PRACTICE_1)
        line = proc.stderr.splitlines()[0]
        assert line == (
            f"error: there is no {name} yet: start from the starter, `cp starter.py {name}`, "
            "and write your code in the copy"
        )
        copied = run(*shlex.split(re.search(r"`(cp [^`]+)`", line)[1]), cwd=PRACTICE_1)
        assert copied.returncode == 0, copied.stderr
        proc = run("make", "--no-print-directory", "check", f"FILE={name}", cwd=PRACTICE_1)
        assert f"Exercise 1, user management: checking {name}" in proc.stdout, proc.stderr
    finally:
        mine.unlink(missing_ok=True)


# What makes a test `alone` (make test runs it after the parallel part, by itself): it
# restarts a server, empties the lesson's buckets, or counts what the whole server does.
SERVER_WIDE = ("restart(", 'make("reset")', "server_connections(", "BENCH, *TINY")


def test_make_test_runs_in_parallel_then_alone_what_touches_a_whole_server():
    plan = run(sys.executable, "tasks.py", "-n", "test").stdout.splitlines()
    pytest_runs = [line.split(" -m pytest ")[1] for line in plan if " -m pytest " in line]
    record = "--record-runs=.pytest_cache/lesson17-runs.jsonl"  # both parts note into one file
    assert re.fullmatch(rf"-n \d+ -m not alone {record}", pytest_runs[0]), pytest_runs
    assert pytest_runs[1:] == [f"-m alone {record} --check-runs"], pytest_runs  # then checks
    unmarked = []
    for test_file in (ROOT / "tests").glob("test_*.py"):
        source = test_file.read_text()
        for node in ast.parse(source).body:
            if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
                continue
            body = ast.get_source_segment(source, node)
            marks = [ast.unparse(d) for d in node.decorator_list]
            if any(s in body for s in SERVER_WIDE) and "pytest.mark.alone" not in marks:
                unmarked.append(f"{test_file.name}::{node.name}")
    assert not unmarked, f"restart or count a whole server, so mark them alone: {unmarked}"


MUTATORS = {"insert", "append", "extend", "remove", "pop", "clear", "__setitem__", "__iadd__"}
# A deliberate edit, with its reason. The practice tests import each exercise's given models
# (user_models, blog_models...) by name, as a student's starter does beside them.
ALLOWED_SYS_PATH_EDITS = {
    "lesson-17/practice/conftest.py": ["sys.path.insert(0, str(folder))"],
}


def sys_path_edits(source):
    """Each statement of `source` that changes sys.path, as code: through any name bound to
    sys or to sys.path (`import sys as s`, `from sys import path`), by a method, an
    assignment or a slice (`sys.path[:0] = ...`), and pytest's and site's own ways."""
    tree = ast.parse(source)
    sys_names, path_names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            sys_names |= {a.asname or a.name for a in node.names if a.name == "sys"}
        elif isinstance(node, ast.ImportFrom) and node.module == "sys":
            path_names |= {a.asname or a.name for a in node.names if a.name == "path"}

    def is_path(node):
        while isinstance(node, ast.Subscript):  # sys.path[:0], sys.path[0]
            node = node.value
        if isinstance(node, ast.Name):
            return node.id in path_names
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "path"
            and isinstance(node.value, ast.Name)
            and node.value.id in sys_names
        )

    edits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if (node.func.attr in MUTATORS and is_path(node.func.value)) or node.func.attr in (
                "syspath_prepend",
                "addsitedir",
            ):
                edits.append(node)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            if any(is_path(t) for t in targets):
                edits.append(node)
    return [ast.unparse(node) for node in edits]


@pytest.mark.parametrize(
    "edit",
    [
        "import sys\nsys.path.insert(0, 'x')",
        "import sys\nsys.path.append('x')",
        "import sys\nsys.path[:0] = ['x']",
        "import sys\nsys.path += ['x']",
        "import sys\nsys.path = ['x', *sys.path]",
        "import sys as s\ns.path.insert(0, 'x')",
        "import os, sys as s\nif True:\n    s.path.extend(['x'])",
        "from sys import path\npath.insert(0, 'x')",
        "from sys import path as p\np[0:0] = ['x']",
        "def test(monkeypatch):\n    monkeypatch.syspath_prepend('x')",
        "import site\nsite.addsitedir('x')",
    ],
)
def test_the_sys_path_check_finds_each_way_to_edit_it(edit):
    assert len(sys_path_edits(edit)) == 1, edit


def test_the_sys_path_check_leaves_reading_it_alone():
    reads = "import sys, os\nfound = [p for p in sys.path if p]\nx = 'a' in sys.path\n"
    assert sys_path_edits(reads + "os.path.join('a')\nitems = []\nitems.insert(0, 1)\n") == []


def test_the_tooling_is_a_package_that_never_edits_sys_path():
    """tools/ is imported as a package from the repository root (`python -m tools.X`,
    pytest's pythonpath): a path edit would let tools/services/x.py hide a real package x.
    The lesson's code edits it in one place only, said why (ALLOWED_SYS_PATH_EDITS)."""
    edits = {}
    for path in [
        ROOT / "tasks.py",
        *(ROOT / "tools").rglob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
        *(ROOT / "benchmarks").rglob("*.py"),
        *lesson_files(),  # practice/ too; not a student's .venv
    ]:
        found = sys_path_edits(path.read_text())
        if found:
            edits[str(path.relative_to(ROOT))] = found
    assert edits == ALLOWED_SYS_PATH_EDITS
    assert (ROOT / "tools" / "__init__.py").exists()
    assert (ROOT / "tools" / "services" / "__init__.py").exists()


def test_one_install_with_another_python_is_enough():
    """macOS's own python3 is 3.9: after `make install PYTHON=python3.12`, `make demo`
    (run by python3 again) installs with the Python that made .venv, so it neither
    refuses 3.9 nor rebuilds .venv with it. Only `install` itself takes the caller's."""
    other = sys._base_executable  # another interpreter than .venv's, as python3 is there
    assert other != sys.executable
    venv_python = platforms.venv_python(ROOT / ".venv")
    for target in ("run 01/main.py", "demo 01", "services", "doctor", "test"):
        plan = run(other, "tasks.py", "-n", *target.split()).stdout.splitlines()
        assert plan[0].startswith(f"{venv_python} -m tools."), (target, plan[0])
    plan = run(other, "tasks.py", "-n", "install").stdout.splitlines()
    assert plan[0] == f"{other} -m tools.install --venv {ROOT / '.venv'}", plan[0]
