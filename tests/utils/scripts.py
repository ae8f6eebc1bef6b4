"""Run lesson scripts exactly as a student does, and check what they print."""

import os
import subprocess
import sys
from dataclasses import dataclass

from utils.paths import LESSON


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self):
        return self.stdout.splitlines()


def run_script(section, script, env=None, timeout=120, cwd=None, base_env=None):
    """`cd lesson-17/<section> && python3 <script>` with this venv's interpreter.

    `env` is added to this process's environment (or to `base_env`, a whole one);
    `cwd` runs a copy of the section that lives elsewhere.
    """
    full_env = {**(os.environ if base_env is None else base_env), **(env or {})}
    proc = subprocess.run(
        [sys.executable, script],
        cwd=cwd or LESSON / section,
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
