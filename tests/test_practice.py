"""The practice exercises: each is passable (solution) and tests something (starter)."""

import subprocess
import sys

import pytest

from utils.paths import LESSON, ROOT

PRACTICE = LESSON / "practice"
NUMBERS = sorted(int(p.name.split("_")[0]) for p in PRACTICE.glob("[0-9]_*"))


def practice(*args):
    return subprocess.run(
        [sys.executable, "tools/practice.py", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_there_are_six_exercises_each_complete():
    assert NUMBERS == [1, 2, 3, 4, 5, 6]
    for folder in PRACTICE.glob("[0-9]_*"):
        names = {p.name for p in folder.iterdir()}
        assert {"README.md", "starter.py", "solution.py"} <= names, folder.name
        assert any(n.startswith("test_") and n.endswith(".py") for n in names), folder.name
        assert "NotImplementedError" in (folder / "starter.py").read_text()
        assert "NotImplementedError" not in (folder / "solution.py").read_text()


@pytest.mark.parametrize("number", NUMBERS)
def test_solution_passes_and_starter_fails(number, mysql_conn, dynamodb, influx):
    proc = practice("verify", str(number))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ": ok: solution passes" in proc.stdout


def test_check_tells_a_student_what_is_done_and_what_is_missing(tmp_path, mysql_conn):
    """A student's copy with one of five functions written."""
    solution = (PRACTICE / "1_user_management" / "solution.py").read_text()
    starter = (PRACTICE / "1_user_management" / "starter.py").read_text()
    body = solution.split("def create_user", 1)[1].split("\ndef ", 1)[0]
    mine = tmp_path / "mine.py"
    todo = "def create_user" + starter.split("def create_user", 1)[1].split("\ndef ", 1)[0]
    mine.write_text(
        "from sqlalchemy.exc import IntegrityError\n"
        + starter.replace(todo, "def create_user" + body)
    )
    proc = subprocess.run(
        ["make", "--no-print-directory", "check", "EXERCISE=1", f"FILE={mine}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    lines = proc.stdout.splitlines()
    assert any(
        line.strip() == "TODO  create_user saves a user that get_user finds by id [sqlite]"
        for line in lines
    ), proc.stdout
    assert "not written yet (get_user raises NotImplementedError)" in proc.stdout
    assert (
        "done  a taken email raises DuplicateEmail, and the session keeps working [mysql]"
        in proc.stdout
    )
    assert "2 of 10 done" in proc.stdout  # the duplicate-email test, on both databases


def test_check_without_an_exercise_says_how():
    proc = subprocess.run(
        ["make", "--no-print-directory", "check"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode != 0
    assert "make check EXERCISE=1 (1 to 6)" in proc.stdout + proc.stderr
