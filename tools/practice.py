#!/usr/bin/env python3
"""The practice exercises: prove each is passable and tests something, or check yours.

    python3 tools/practice.py verify [N ...]      (make practice)
    python3 tools/practice.py check N [FILE]      (make check EXERCISE=N FILE=...)

verify: for every exercise, its tests must pass against solution.py AND fail against
the untouched starter.py; either direction failing fails the run, naming the exercise.
check: runs one exercise's tests against FILE (default: its starter.py) and prints,
per test, `done` or `TODO` with what is still missing.
Runs with the project's virtualenv (.venv); the servers must be up.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRACTICE = ROOT / "lesson-17" / "practice"
PYTHON = Path(sys.executable)  # run by .venv's Python (make practice, tasks.py practice)


def exercises():
    """{number: folder} of lesson-17/practice/<N>_<name>/."""
    return {int(p.name.split("_")[0]): p for p in sorted(PRACTICE.glob("[0-9]_*")) if p.is_dir()}


def pytest(folder, module, report=False, quiet=True):
    env = dict(os.environ, EXERCISE_FILE=str(module))
    if report:
        env["EXERCISE_REPORT"] = "1"
    argv = [str(PYTHON), "-m", "pytest", str(folder), "-p", "no:randomly", "-p", "no:cacheprovider"]
    argv += ["-o", "addopts=", "-q", "--tb=no", "--no-header", "-rN"]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=quiet, text=True)


def summary(proc):
    lines = [line for line in proc.stdout.splitlines() if " in " in line and line.strip()]
    return lines[-1].strip("= ") if lines else proc.stdout.strip()[-200:]


def verify(numbers):
    found = exercises()
    bad = []
    for number in numbers or sorted(found):
        folder = found[number]
        passed = pytest(folder, folder / "solution.py")
        failed = pytest(folder, folder / "starter.py")
        problems = []
        if passed.returncode != 0:
            problems.append(f"solution.py does not pass ({summary(passed)})")
        if failed.returncode != 1:  # 1: tests failed; 0 passed; 2+ broken collection
            problems.append(f"the starter does not fail as it should ({summary(failed)})")
        verdict = "; ".join(problems) or (
            f"solution passes ({summary(passed)}), starter fails ({summary(failed)})"
        )
        print(f"exercise {folder.name}: {'ok' if not problems else 'PROBLEM'}: {verdict}")
        if problems:
            bad.append(folder.name)
    if bad:
        print(f"error: exercises with problems: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


def check(number, file=None):
    found = exercises()
    if number not in found:
        print(
            f"error: no exercise {number}; there are {', '.join(map(str, found))}", file=sys.stderr
        )
        return 2
    folder = found[number]
    module = Path(file).resolve() if file else folder / "starter.py"
    if not module.exists():
        print(f"error: no file {module}", file=sys.stderr)
        return 2
    shown = module.relative_to(ROOT) if module.is_relative_to(ROOT) else module
    print(f"Exercise {folder.name}, checking {shown}:")
    return pytest(folder, module, report=True, quiet=False).returncode


def main(argv):
    if len(argv) >= 2 and argv[1] == "verify":
        return verify([int(n) for n in argv[2:]])
    if len(argv) in (3, 4) and argv[1] == "check" and argv[2].isdigit():
        return check(int(argv[2]), argv[3] if len(argv) == 4 else None)
    print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
