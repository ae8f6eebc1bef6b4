"""Every lesson script is run by some test; every other lesson module is used by a script."""

import ast
import re
from pathlib import Path

from utils.paths import LESSON, is_script, lesson_files
from utils.scripts import script_runs_in_tests

TESTS = Path(__file__).parent
ALEMBIC = LESSON / "03" / "migrations"
PRACTICE = LESSON / "practice"  # starters, solutions and tests: tests/test_practice.py


def test_every_lesson_script_is_run_by_a_test():
    run = {(section, script) for _, section, script, _ in script_runs_in_tests()}
    scripts = [p for p in lesson_files() if is_script(p)]
    assert scripts, "no lesson scripts found"
    missing = [str(p.relative_to(LESSON)) for p in scripts if (p.parent.name, p.name) not in run]
    assert not missing, f"lesson scripts no test runs: {missing}"


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
