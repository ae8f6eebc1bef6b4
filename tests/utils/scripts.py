"""Run lesson scripts exactly as a student does, and check what they print."""

import atexit
import functools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

from utils import record
from utils.paths import LESSON
from utils.settings import as_configured


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self):
        return self.stdout.splitlines()


# The sections whose scripts write SQLite files beside themselves (01: tutorial.db,
# injection.db). Parallel test workers, and two test runs at once, would write the same
# file: each test process runs these in its own copy of the folder instead, the same
# files in the same layout (lesson-17/01, lesson-17/02), which is what a student runs.
OWN_COPY = ("01", "02")


@functools.cache
def checkout_copy():
    """This process's own lesson-17/ with a copy of each OWN_COPY section, removed at exit."""
    top = Path(tempfile.mkdtemp(prefix="lesson17-sections-"))
    atexit.register(shutil.rmtree, top, ignore_errors=True)
    for section in OWN_COPY:
        shutil.copytree(
            LESSON / section,
            top / "lesson-17" / section,
            ignore=shutil.ignore_patterns("__pycache__", "*.db", ".venv"),
        )
    return top


def section_folder(section):
    """Where the tests run lesson-17/<section>: this process's copy, or the folder itself."""
    return checkout_copy() / "lesson-17" / section if section in OWN_COPY else LESSON / section


def run_script(section, script, env=None, timeout=120, cwd=None, base_env=None):
    """`cd lesson-17/<section> && python3 <script>` with this venv's interpreter.

    `env` is added to this process's environment (or to `base_env`, a whole one);
    `cwd` runs a copy of the section that lives elsewhere.
    """
    full_env = {**(os.environ if base_env is None else base_env), **(env or {})}
    proc = subprocess.run(
        [sys.executable, script],
        cwd=cwd or section_folder(section),
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def run_ok(section, script, env=None):
    """Run a script that must succeed; the failure message carries its stderr."""
    result = run_script(section, script, env)
    assert result.returncode == 0, (
        f"{section}/{script} exited {result.returncode}:\n{result.stderr}"
    )
    return result


README_BLOCK = re.compile(r"<!-- output: (\d\d)/(\w+\.py) -->\n```text\n(.*?)```", re.S)


@functools.cache
def readme_outputs():
    """{(section, script): the output lesson-17/README.md shows for it}."""
    text = (LESSON / "README.md").read_text()
    return {(section, script): out for section, script, out in README_BLOCK.findall(text)}


CODE_BLOCK = re.compile(r"<!-- code: (\d\d/\w+\.py)#([\w-]+) -->\n```python\n(.*?)```", re.S)
MARKER = re.compile(r"^[ \t]*# \[(start|end):([\w-]+)\][ \t]*$")


def readme_code():
    """[(file, region, code)] for each Python block lesson-17/README.md shows, in order."""
    return CODE_BLOCK.findall((LESSON / "README.md").read_text())


def regions(path):
    """{name: code} for the regions a lesson file marks with `# [start:name]` and
    `# [end:name]` lines, each dedented as the page shows it. A marker that does not
    pair up (an end without its start, a start never ended, a name used twice) is an
    AssertionError naming the file and line."""
    found, open_at, lines = {}, {}, path.read_text().splitlines(keepends=True)
    for number, line in enumerate(lines, 1):
        marker = MARKER.match(line)
        if not marker:
            continue
        kind, name = marker.groups()
        where = f"{path.relative_to(LESSON)}:{number}"
        if kind == "start":
            assert name not in open_at and name not in found, f"{where}: region {name} again"
            open_at[name] = number
        else:
            assert name in open_at, f"{where}: [end:{name}] without its [start:{name}]"
            body = [x for x in lines[open_at.pop(name) : number - 1] if not MARKER.match(x)]
            found[name] = textwrap.dedent("".join(body)).strip("\n") + "\n"
    assert not open_at, f"{path.relative_to(LESSON)}: regions never ended: {sorted(open_at)}"
    return found


def run_twice(section, script, env=None):
    """Run a script twice, as a student re-running it does: both runs succeed and print the
    same. Run as the student runs it (no `env`), what it prints is also the output
    lesson-17/README.md shows for it: each script runs these two times only."""
    first = run_ok(section, script, env)
    second = run_ok(section, script, env)
    assert second.stdout == first.stdout, f"{section}/{script}: a re-run prints otherwise"
    if env is None:
        record.note(record.RAN, section, script)
        if (section, script) in readme_outputs():
            assert as_configured(first.stdout) == readme_outputs()[(section, script)], (
                f"lesson-17/README.md is out of date for {section}/{script}"
            )
            record.note(record.COMPARED, section, script)
    return first


def assert_one_line_error(result, *needles):
    """An expected failure: non-zero exit, nothing on stdout, one actionable stderr line."""
    assert result.returncode != 0, result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# What 02 and 03 print: the same ORM code on SQLite and on MySQL.
ORM_OUTPUT = [
    "User(id=1, name='alice', age=30)",
    "   Address(id=1, email_address='alice@example.com')",
    "User(id=3, name='charlie', age=35)",
    "   Address(id=3, email_address='charlie@example.com')",
]
