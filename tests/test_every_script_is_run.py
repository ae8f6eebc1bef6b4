"""Every lesson script is run by some test; every other lesson module is used by a script.

That every script was run twice as a student runs it, and its README block compared, is
checked on what really happened: run_twice notes it (utils/record.py), and the full run
(`make test`, --check-runs) fails at its end if a script or block lacks its note.
"""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tasks
from utils import record
from utils.paths import LESSON, ROOT, is_script, lesson_files

TESTS = Path(__file__).parent
ALEMBIC = LESSON / "03" / "migrations"
PRACTICE = LESSON / "practice"  # starters, solutions and tests: tests/test_practice.py
BLOCKS = ["01/main.py", "05/query.py"]


def test_the_run_check_names_each_script_and_block_nothing_proved():
    """What a test that only looks as if it runs a script leaves: no note. A run expected
    to fail, a `run_ok`, a `run_twice` in a function nothing calls: none notes RAN."""
    everything = {(record.RAN, s) for s in tasks.DEMO} | {(record.COMPARED, b) for b in BLOCKS}
    assert record.gaps(everything, tasks.DEMO, BLOCKS) == []
    assert record.gaps(everything - {(record.RAN, "05/query.py")}, tasks.DEMO, BLOCKS) == [
        "05/query.py: not run twice as a student"
    ]
    assert record.gaps(everything - {(record.COMPARED, "01/main.py")}, tasks.DEMO, BLOCKS) == [
        "01/main.py: not compared with its README block"
    ]
    assert len(record.gaps(set(), tasks.DEMO, BLOCKS)) == len(tasks.DEMO) + len(BLOCKS)


@pytest.mark.alone  # its own two workers use the namespaces gw0 and gw1 (tests/conftest.py)
def test_parallel_workers_hand_their_notes_to_the_check(tmp_path):
    """Two workers, one test that runs 02/main.py as a student: the controller's file
    holds the worker's notes, and --check-runs fails naming every script not run."""
    runs = tmp_path / "runs.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-n", "2",
         "tests/test_02_sqlalchemy_sqlite.py::test_in_memory_run_prints_users_with_addresses_twice_the_same",
         f"--record-runs={runs}", "--check-runs"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout, proc.stdout
    notes = {tuple(json.loads(line)) for line in runs.read_text().splitlines()}
    assert notes == {(record.RAN, "02/main.py"), (record.COMPARED, "02/main.py")}
    assert "  01/main.py: not run twice as a student" in proc.stdout
    assert "  02/main.py: not" not in proc.stdout


def test_every_other_lesson_module_is_imported_by_a_script_beside_it():
    for module in (p for p in lesson_files() if not is_script(p)):
        if ALEMBIC in module.parents:
            continue  # env.py and versions/ are run by Alembic: test_03's advanced_migrate.py test
        if PRACTICE in module.parents:
            continue  # run by tools/practice.py, against solution and starter

        importers = [
            p.name
            for p in module.parent.glob("*.py")
            if is_script(p)
            and re.search(
                rf"^(from {module.stem} import|import {module.stem}$)", p.read_text(), re.M
            )
        ]
        assert importers, f"{module.relative_to(LESSON)} is used by no script in its folder"


def test_no_script_imports_another_runnable_script():
    """Shared data and helpers live in modules (settings.py, sensors.py, statements.py...):
    importing a script would tie one lesson to another's code and its changes."""
    found = []
    for script in (p for p in lesson_files() if is_script(p)):
        runnable = {p.stem for p in script.parent.glob("*.py") if is_script(p)}
        for node in ast.walk(ast.parse(script.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{script.relative_to(LESSON)} imports {n}" for n in names if n in runnable]
    assert not found, found


def test_one_error_idiom_per_section():
    """03: `with one_line_errors(url):` (exit_unreachable is settings.py's own); 04: the
    `except` arms hand their error to settings.fail() (main.py names TableError and
    PutError apart, as the lesson's document teaches), never print and go on."""
    for script in (p for p in lesson_files() if is_script(p)):
        text = script.read_text()
        if script.parent.name == "03":
            assert "exit_unreachable" not in text, f"{script.name}: use one_line_errors(url)"
        if script.parent.name == "04":
            assert "settings.fail(" in text, f"{script.name}: errors go to settings.fail()"
