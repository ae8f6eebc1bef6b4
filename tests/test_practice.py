"""The practice exercises: graded by tests that are proven to tell right from wrong, and a
`make check` whose report is the one lesson-17/practice/README.md shows."""

import ast
import json
import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml

from utils.paths import LESSON, ROOT
from utils.settings import SETTINGS

PRACTICE = LESSON / "practice"
FOLDERS = sorted(p for p in PRACTICE.glob("[0-9]_*") if p.is_dir())
CHECK_BLOCK = re.compile(r"<!-- check: (\d) (\S+) -->\n```text\n(.*?)```", re.S)


def practice(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "tools.practice", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def make_check(*args, cwd=ROOT):
    return subprocess.run(
        ["make", "--no-print-directory", "check", *args], cwd=cwd, capture_output=True, text=True
    )


def test_six_exercises_each_with_its_tests_and_known_mistakes():
    assert [int(p.name[0]) for p in FOLDERS] == [1, 2, 3, 4, 5, 6]
    for folder in FOLDERS:
        names = {p.name for p in folder.iterdir()}
        assert {"README.md", "starter.py", "solution.py", "Makefile"} <= names, folder.name
        assert list((folder / "tests").glob("test_*.py")), folder.name
        assert "NotImplementedError" in (folder / "starter.py").read_text()
        assert "NotImplementedError" not in (folder / "solution.py").read_text()
        wrong = sorted((folder / "tests" / "wrong").glob("*.py"))
        assert len(wrong) >= 3, f"{folder.name}: {len(wrong)} known-wrong solutions"
        for path in wrong:
            tree = ast.parse(path.read_text())
            assert ast.get_docstring(tree), f"{path}: say what is wrong in its docstring"
            assert "CAUGHT_BY" in path.read_text(), f"{path}: name the test that catches it"


def test_every_solution_passes_every_starter_fails_every_mistake_is_caught(
    mysql_conn, dynamodb, influx
):
    proc = practice("verify")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for folder in FOLDERS:
        assert f"exercise {folder.name}: ok" in proc.stdout, proc.stdout
        for path in (folder / "tests" / "wrong").glob("*.py"):
            caught_by = re.search(r'CAUGHT_BY = "(\w+)"', path.read_text())[1]
            line = next(x for x in proc.stdout.splitlines() if f"wrong/{path.name}:" in x)
            rejected_by = re.sub(r" \[[^]]*\]", "", line.split(" Rejected by ")[1].rstrip("."))
            assert caught_by in rejected_by.split(", "), line  # the name itself, not a prefix


def test_make_practice_fails_on_a_mistake_the_tests_miss_or_pin_on_another_test(
    tmp_path, mysql_conn
):
    """The guard itself: a 'mistake' that is the reference solution, and a real mistake
    whose CAUGHT_BY names a test that does not catch it, are both reported."""
    (tmp_path / "wrong").mkdir()
    passes = tmp_path / "wrong" / "not_wrong_at_all.py"
    passes.write_text('"""Nothing wrong: the reference solution."""\n\nCAUGHT_BY = "test_update"\n')
    misnamed = tmp_path / "wrong" / "misnamed.py"
    flush_only = PRACTICE / "1_user_management" / "tests" / "wrong" / "flush_only.py"
    misnamed.write_text(flush_only.read_text().replace('"test_update"', '"test_list_pages"'))
    proc = practice("verify", "1", str(passes), str(misnamed))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "exercise 1_user_management: PROBLEM" in proc.stdout
    assert "wrong/not_wrong_at_all.py PASSES every test" in proc.stdout, proc.stdout
    assert "should be rejected by test_list_pages (its CAUGHT_BY)" in proc.stdout, proc.stdout
    assert "wrong/flush_only.py" not in proc.stdout  # only the files named are judged
    assert "solution.py passes" not in proc.stdout  # nor anything else run


def test_make_practice_does_not_count_a_crash_of_pythons_own_as_the_mistake_caught(
    tmp_path, mysql_conn
):
    """A known-wrong file with a typo crashes the test it names (NameError): that proves
    nothing about what the test checks, so verify reports it."""
    (tmp_path / "wrong").mkdir()
    typo = tmp_path / "wrong" / "typo.py"
    typo.write_text(
        '"""update_user has a typo, not the mistake."""\n\nCAUGHT_BY = "test_update"\n\n\n'
        "def update_user(session, user_id, **changes):\n    return sesion\n"
    )
    proc = practice("verify", "1", str(typo))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "wrong/typo.py only crashes in test_update (NameError: " in proc.stdout, proc.stdout


def test_the_readme_shows_what_make_check_prints_where_a_student_types_it(mysql_conn):
    """The README's three reports, each made as a student may type it: inside the
    exercise's folder (which exercise and its starter are inferred; FILE is relative to
    there), and from the repository root."""
    blocks = CHECK_BLOCK.findall((PRACTICE / "README.md").read_text())
    assert [(n, f) for n, f, _ in blocks] == [
        ("1", "starter.py"),
        ("1", "tests/half_done.py"),
        ("1", "solution.py"),
    ]
    folder = FOLDERS[0]
    runs = {
        "starter.py": make_check(cwd=folder),
        "tests/half_done.py": make_check("EXERCISE=1", f"FILE={folder / 'tests/half_done.py'}"),
        "solution.py": make_check("FILE=solution.py", cwd=folder),
    }
    for _, file, shown in blocks:
        proc = runs[file]
        assert proc.stdout == shown, f"practice/README.md is out of date for {file}"
        finished = file == "solution.py"
        assert proc.returncode == (0 if finished else 1), (file, proc.returncode)
        assert proc.stderr == "", proc.stderr  # no `make: *** ... Error` line
        assert "healthy" not in proc.stdout  # the servers are up: nothing said about them


def test_a_file_that_does_not_load_is_reported_once_with_its_line(tmp_path):
    mine = tmp_path / "mine.py"
    starter = (FOLDERS[0] / "starter.py").read_text().splitlines()
    broken_at = len(starter) + 2
    mine.write_text("\n".join(starter) + "\n\ndef oops(:\n    pass\n")
    proc = make_check("EXERCISE=1", f"FILE={mine}")
    assert proc.returncode != 0
    lines = [line for line in proc.stdout.splitlines() if "SyntaxError" in line]
    assert lines == [f"  mine.py, line {broken_at}: SyntaxError: invalid syntax"], proc.stdout
    assert "TODO" not in proc.stdout


def test_exercise_6_is_done_without_its_stretch_goal(tmp_path, mysql_conn):
    """Exercise 6's stretch goal is optional: right models and no tenant_session is done
    (status 0), checked as on Windows (`py tasks.py check 6 FILE`); the stretch goal's
    tests are listed under their own heading, each waiting for tenant_session."""
    folder = FOLDERS[5]
    models = (folder / "solution.py").read_text().split("# --- Stretch goal")[0]
    mine = tmp_path / "mine.py"
    mine.write_text(
        models + "\ndef tenant_session(engine, org_id):\n    raise NotImplementedError\n"
    )
    proc = subprocess.run(
        [sys.executable, "tasks.py", "check", "6", str(mine)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    heading = lines.index("  Stretch goal (optional: the exercise is done without it)")
    verdicts = [line.split()[0] for line in lines[1:-1] if not line.startswith("        ")]
    assert verdicts[: heading - 1] == ["done"] * 4, proc.stdout
    assert verdicts[heading:] == ["TODO"] * 9, proc.stdout
    waiting = {line.strip() for line in lines[heading + 1 : -1] if line.startswith("        ")}
    assert waiting == {"tenant_session is not written yet (it raises NotImplementedError)"}
    assert lines[-1] == "  4 of 4 done; stretch goal: 0 of 9 done; not written yet: tenant_session"


def test_check_without_an_exercise_says_how():
    proc = make_check()
    assert proc.returncode != 0
    assert "`make check EXERCISE=1` (1 to 6)" in proc.stdout + proc.stderr


def test_the_sql_exercises_touch_only_a_database_that_is_the_lessons(mysql_admin):
    """Exercises 1, 2, 3 and 6 drop and recreate their tables: in somebody's database
    (other tables, no lesson's mark) every test stops with section 03's one line, and
    nothing there changes."""
    foreign = f"{SETTINGS['MYSQL_DATABASE']}_practice_foreign"
    with mysql_admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{foreign}`")
        cur.execute(f"CREATE DATABASE `{foreign}`")
        cur.execute(f"CREATE TABLE `{foreign}`.practice_user (id INT PRIMARY KEY, note TEXT)")
        cur.execute(f"INSERT INTO `{foreign}`.practice_user VALUES (7, 'a real customer')")
    try:
        for number in (1, 2, 3, 6):
            proc = practice("check", str(number), env={"MYSQL_DATABASE": foreign})
            assert proc.returncode == 1, proc.stdout + proc.stderr
            refusals = [line for line in proc.stdout.splitlines() if "is not the lesson's" in line]
            mysql_tests = [line for line in proc.stdout.splitlines() if "TODO" in line]
            assert refusals and len(refusals) >= len(mysql_tests) - 3, proc.stdout
            assert "practice_user" in refusals[0], refusals[0]
        with mysql_admin.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (foreign,),
            )
            assert [row[0] for row in cur.fetchall()] == ["practice_user"]
            cur.execute(f"SELECT id, note FROM `{foreign}`.practice_user")
            assert cur.fetchall() == ((7, "a real customer"),)
    finally:
        with mysql_admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{foreign}`")


def test_exercise_4_runs_on_dynamodb_local_only_and_sends_no_local_keys_to_aws(tmp_path):
    """DYNAMODB_HOST empty means real AWS: exercise 4's tests refuse to delete tables
    there (or on any endpoint not on this machine), and .env's key pair (DynamoDB Local's
    dummy one) is not in the environment for botocore to find; an exported pair still is."""
    aws = tmp_path / ".aws"
    aws.mkdir()
    (aws / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAFROMCONFIGURE\naws_secret_access_key = s\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), DYNAMODB_HOST="")
    for host in ("", "http://192.0.2.1:8000"):
        proc = practice("check", "4", env={**env, "DYNAMODB_HOST": host})
        assert proc.returncode == 1, proc.stdout + proc.stderr
        todo = [line for line in proc.stdout.splitlines() if line.startswith("        ")]
        assert todo and all("run on DynamoDB Local only" in line for line in todo), proc.stdout
    probe = (
        "import json, runpy; runpy.run_path('lesson-17/practice/conftest.py')\n"
        "import botocore.session\n"
        "c = botocore.session.get_session().get_credentials()\n"
        "print(json.dumps([c.method, c.access_key]))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert json.loads(found.stdout) == ["shared-credentials-file", "AKIAFROMCONFIGURE"], (
        found.stdout + found.stderr
    )
    env.update(AWS_ACCESS_KEY_ID="AKIAEXPORTED", AWS_SECRET_ACCESS_KEY="x")
    found = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert json.loads(found.stdout) == ["env", "AKIAEXPORTED"], found.stdout + found.stderr


@pytest.mark.alone  # as the grader, with .env's names: the parallel workers' are not used
def test_the_classroom_workflow_grades_each_exercise_with_make_check(mysql_conn, dynamodb, influx):
    """GitHub Classroom: one autograded test per exercise, 10 points each, reported by
    the grading reporter; each runs `make check` on the exercise's starter.py, and here the
    very same command runs, with only PATH and HOME as the command grader gives it: the
    untouched starter scores nothing (status 1), the reference solution full points."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "classroom.yml").read_text())
    (job,) = workflow["jobs"].values()
    graders = [s for s in job["steps"] if "autograding-command-grader" in s.get("uses", "")]
    assert [g["id"] for g in graders] == [f"exercise-{n}" for n in range(1, 7)]
    (reporter,) = [s for s in job["steps"] if "autograding-grading-reporter" in s.get("uses", "")]
    assert reporter["with"]["runners"] == ",".join(g["id"] for g in graders)
    assert reporter["env"] == {
        f"{g['id'].upper()}_RESULTS": f"${{{{steps.{g['id']}.outputs.result}}}}" for g in graders
    }
    assert sum(int(g["with"]["max-score"]) for g in graders) == 60
    grader_env = {"PATH": os.environ["PATH"], "HOME": os.environ["HOME"]}
    # How this machine reaches its Docker engine, where that is not the default socket
    # (a runner's is): without them `make check` took the native path beside the containers.
    grader_env |= {k: os.environ[k] for k in ("DOCKER_HOST", "DOCKER_CONFIG") if k in os.environ}
    for n, (grader, folder) in enumerate(zip(graders, FOLDERS, strict=True), 1):
        command = grader["with"]["command"]
        assert grader["with"]["test-name"].startswith(f"Exercise {n}, "), grader
        assert command == (
            f"make --no-print-directory check EXERCISE={n} "
            f"FILE={folder.relative_to(ROOT).as_posix()}/starter.py"
        )
        proc = subprocess.run(
            shlex.split(command), cwd=ROOT, env=grader_env, capture_output=True, text=True
        )
        assert proc.returncode == 1 and "0 of " in proc.stdout, proc.stdout + proc.stderr
        if n == 1:  # a finished exercise scores: the same command on the reference solution
            solved = shlex.split(command.replace("starter.py", "solution.py"))
            done = subprocess.run(solved, cwd=ROOT, env=grader_env, capture_output=True, text=True)
            assert done.returncode == 0 and "9 of 9 done" in done.stdout, done.stdout
