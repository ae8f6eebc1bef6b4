#!/usr/bin/env python3
"""The practice exercises: prove the tests tell right from wrong, or check your work.

    python3 -m tools.practice verify [N ...] [WRONG.py ...]   (make practice)
    python3 -m tools.practice check N [FILE]      (make check EXERCISE=N FILE=...)

verify, in one pytest session for all the exercises: each reference solution passes
every test; each untouched starter fails every test, each on the function that test is
about; each known-wrong solution (<exercise>/tests/wrong/*.py) is rejected, by the test
its CAUGHT_BY names at least. Anything else fails the run, naming the file and why.
Known-wrong files named on the command line (in a folder named wrong/) are judged
alone, against the first named exercise's tests: a quick try of a new mistake.
check: one exercise's tests against FILE (default: its starter.py), reported as a tutor
would: one line per test, `done` or `TODO` and what to do about it; exit 1 while any
test is TODO. The tests of a stretch goal (exercise 6's) are listed apart and do not
count. Runs with the project's virtualenv (.venv); the servers must be up.
"""

import ast
import builtins
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRACTICE = ROOT / "lesson-17" / "practice"
PYTHON = Path(sys.executable)  # run by .venv's Python (make practice, tasks.py practice)


def exercises():
    """{number: folder} of lesson-17/practice/<N>_<name>/."""
    return {int(p.name.split("_")[0]): p for p in sorted(PRACTICE.glob("[0-9]_*")) if p.is_dir()}


def wrong_solutions(folder):
    return sorted((folder / "tests" / "wrong").glob("*.py"))


def run_tests(files):
    """Run the tests of each exercise in `files` ({folder: [paths]}) in one pytest session;
    (the per-test records of conftest.py, pytest's exit code and output)."""
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.json"
        env = dict(
            os.environ,
            EXERCISE_FILES=json.dumps(
                {f.name: [str(p) for p in paths] for f, paths in files.items()}
            ),
            EXERCISE_RESULTS=str(results),
        )
        argv = [str(PYTHON), "-m", "pytest", *(str(f / "tests") for f in files)]
        argv += ["-p", "no:randomly", "-p", "no:cacheprovider", "-o", "addopts="]
        argv += ["-q", "--tb=line", "--no-header", "-rN"]
        proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
        records = json.loads(results.read_text()) if results.exists() else []
    return records, proc


def by_file(records):
    found = {}
    for record in records:
        found.setdefault(record["file"], []).append(record)
    return found


def failed_tests(records):
    """'test_update [sqlite, mysql]', ... for the failed records, test by test."""
    cases = {}
    for r in records:
        if not r["passed"]:
            cases.setdefault(r["test"], []).append(r["case"])
    return {test: [c for c in found if c] for test, found in cases.items()}


def describe(tests):
    return ", ".join(f"{t} [{', '.join(c)}]" if c else t for t, c in tests.items())


# Python's own errors (NameError, TypeError...): a wrong solution that raises one has a
# slip of its own. What a mistake makes a test see is an assertion, or the database's and
# the libraries' errors (IntegrityError, PendingRollbackError...).
SLIPS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, Exception) and name != "AssertionError"
}


def is_slip(reason):
    """True when a test's error line ('NameError: ...') is one of Python's own errors."""
    return reason.split(":", 1)[0] in SLIPS


def judge_wrong(path, records):
    """(ok, line) for one known-wrong solution."""
    tree = ast.parse(path.read_text())
    what = " ".join((ast.get_docstring(tree) or "").split("\n\n")[0].split())
    caught_by = next(
        (
            node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["CAUGHT_BY"]
        ),
        None,
    )
    # A test that fails on a function not written yet (a wrong solution of exercise 6's
    # schema leaves the optional stretch goal alone) has not seen the mistake.
    seen = [r for r in records if r["kind"] != "todo"]
    failed = failed_tests(seen)
    name = f"wrong/{path.name}"
    broken = [r["reason"] for r in records if r["kind"] == "load"]
    if broken or not records:
        return False, f"{name} does not load or runs no test: {broken[:1] or 'no results'}"
    if not failed:
        return False, f"{name} PASSES every test, so the tests cannot see this mistake: {what}"
    caught = [r for r in seen if r["test"] == caught_by and not r["passed"]]
    slips = [r["reason"] for r in caught if r["kind"] == "error" and is_slip(r["reason"])]
    if caught and len(slips) == len(caught):
        return False, (
            f"{name} only crashes in {caught_by} ({slips[0][:80]}): a slip in the file, "
            f"which proves nothing about what the test checks: {what}"
        )
    if caught_by not in failed:
        return False, (
            f"{name} should be rejected by {caught_by} (its CAUGHT_BY), but was only by "
            f"{describe(failed)}: {what}"
        )
    return True, f"{name}: {what} Rejected by {describe(failed)}."


def judge_references(folder, results):
    """(ok, lines): the solution passes every test; the starter fails each on its function."""
    lines, ok = [], True
    solution = results.get(str(folder / "solution.py"), [])
    failed = failed_tests(solution)
    if not solution or failed:
        ok = False
        lines.append(f"solution.py fails {describe(failed) or 'to run'}")
        lines += [f"  {r['test']}: {r['reason']}" for r in solution if not r["passed"]]
    else:
        lines.append(f"solution.py passes all {len(solution)} tests")
    starter = results.get(str(folder / "starter.py"), [])
    astray = [
        f"{r['test']} ({r['reason'] or 'passed'})"
        for r in starter
        if r["passed"] or (r["about"] and r["raised_in"] != r["about"])
    ]
    if not starter or astray:
        ok = False
        lines.append(
            "starter.py: each test should fail on the function it is about, and these "
            f"do not: {', '.join(astray) or 'no test ran'}"
        )
    else:
        lines.append(f"starter.py fails all {len(starter)}, each on the function it is about")
    return ok, lines


def verify(numbers, extra=()):
    found = exercises()
    folders = [found[n] for n in numbers or sorted(found)]
    if extra:  # a maintainer trying new mistakes: judge those alone, nothing else runs
        chosen = {folders[0]: [Path(p).resolve() for p in extra]}
    else:
        chosen = {f: [f / "solution.py", f / "starter.py", *wrong_solutions(f)] for f in folders}
    records, proc = run_tests(chosen)
    results = by_file(records)
    bad = []
    for folder, files in chosen.items():
        if extra:
            ok, lines = True, ["judging only the files named (solution.py and starter.py not run)"]
            wrong = files
        else:
            ok, lines = judge_references(folder, results)
            wrong = files[2:]
        if not wrong:
            ok = False
            lines.append("no known-wrong solutions in tests/wrong/: nothing proves the tests")
        for path in wrong:
            rejected, line = judge_wrong(path, results.get(str(path), []))
            ok = ok and rejected
            lines.append(line)
        lines.append("")
        print(f"exercise {folder.name}: {'ok' if ok else 'PROBLEM'}")
        for line in lines:
            print(f"  {line}")
        if not ok:
            bad.append(folder.name)
    if proc.returncode not in (0, 1) or not records:  # pytest itself broke: say how
        print(proc.stdout[-3000:] + proc.stderr[-3000:], file=sys.stderr)
        bad.append(f"pytest exited {proc.returncode}")
    if bad:
        print(f"error: exercises with problems: {', '.join(bad)}", file=sys.stderr)
        return 1
    return 0


def report(records, proc):
    """The tutor's report: one line per test, done or TODO, and why; the exit code."""
    load = [r for r in records if r["kind"] == "load"]
    if load:
        print(f"  {load[0]['reason']}")
        print("  Fix that line first: until the file loads, no test can run.")
        return 1
    if not records:
        print(proc.stdout[-3000:] + proc.stderr[-3000:])
        print("error: the tests did not run (the lines above say why)", file=sys.stderr)
        return 2
    tests = {}
    for record in records:
        tests.setdefault(record["test"], []).append(record)
    main = [runs for runs in tests.values() if not runs[0].get("stretch")]
    stretch = [runs for runs in tests.values() if runs[0].get("stretch")]
    todo_functions = []
    done = tell(main, todo_functions)
    summary = f"{done} of {len(main)} done"
    if stretch:
        print("  Stretch goal (optional: the exercise is done without it)")
        summary += f"; stretch goal: {tell(stretch, todo_functions)} of {len(stretch)} done"
    if todo_functions:
        summary += f"; not written yet: {', '.join(todo_functions)}"
    print(f"  {summary}")
    return 0 if done == len(main) else 1


def tell(tests, todo_functions):
    """Print a line per test (done, or TODO and why); how many are done. The functions
    found not written yet are added to todo_functions."""
    done = 0
    for runs in tests:
        failing = [r for r in runs if not r["passed"]]
        print(f"  {'TODO' if failing else 'done'}  {runs[0]['doc']}")
        done += not failing
        reasons = {r["reason"] for r in failing}
        for r in failing if len(reasons) > 1 else failing[:1]:
            case = f"[{r['case']}] " if len(reasons) > 1 and r["case"] else ""
            print(f"        {case}{r['reason']}")
            if r["kind"] == "todo" and r["raised_in"] not in todo_functions:
                todo_functions.append(r["raised_in"])
    return done


def check(number, file=None):
    found = exercises()
    if number not in found:
        numbers = ", ".join(map(str, found))
        print(f"error: no exercise {number}; there are {numbers}", file=sys.stderr)
        return 2
    folder = found[number]
    module = Path(file).resolve() if file else folder / "starter.py"
    if not module.is_file():
        print(f"error: no file {module}", file=sys.stderr)
        return 2
    title = folder.name.split("_", 1)[1].replace("_", " ")
    print(f"Exercise {number}, {title}: checking {module.name}")
    records, proc = run_tests({folder: [module]})
    return report(records, proc)


def main(argv):
    if len(argv) >= 2 and argv[1] == "verify":
        numbers = [int(a) for a in argv[2:] if a.isdigit()]
        return verify(numbers, [a for a in argv[2:] if not a.isdigit()])
    if len(argv) in (3, 4) and argv[1] == "check" and argv[2].isdigit():
        return check(int(argv[2]), argv[3] if len(argv) == 4 else None)
    print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
