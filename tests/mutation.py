"""Plant known bugs one at a time and see the tests catch each: the suite's kill ratio.

Run: .venv/bin/python tests/mutation.py  (servers up: `make services`; a few minutes)
     .venv/bin/python tests/mutation.py --at COMMIT  (the same bugs planted in an older
     commit's code and run by its tests: the kill ratio before; a bug whose code is not
     there, or whose tests fail unplanted there, is not judged)

Each mutant is a bug a tired engineer or a student could write, in tools/, tasks.py or
the lesson: one exact text replacement in one file. The checkout is copied once to a
temporary folder (its tracked files, in a git index of their own, .env, and a link to
.venv: the same servers); each
mutant is planted in the copy, the tests that should catch it run there (pytest, serial),
and the file is put back. Caught: pytest reports a failed test (exit 1). Missed: the
tests pass, or select nothing. First, each selection of tests runs once with no bug
planted and must pass: else every mutant would look caught. The copy is removed at the
end. Exit 1 if any is missed (or, in this checkout, not judged).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Mutant:
    name: str
    path: str  # in the checkout
    old: str  # the text replaced: exactly once in the file
    new: str
    tests: tuple  # pytest's arguments: files, and -k to choose within them


MUTANTS = [
    # --- tools/ ---
    Mutant(
        "owners._loopback reads /proc's address words in the wrong byte order",
        "tools/services/owners.py",
        "raw[i : i + 4][::-1]",
        "raw[i : i + 4]",
        ("tests/test_security.py", "-k", "loopback"),
    ),
    Mutant(
        "owners' psutil path (macOS, Windows) takes every address for loopback",
        "tools/services/owners.py",
        "    return (mapped or address).is_loopback",
        "    return True",
        ("tests/test_security.py", "-k", "loopback"),
    ),
    Mutant(
        "the doctor's .env reader keeps `export ` in the names",
        "tools/doctor.py",
        '.strip().removeprefix("export ").strip()',
        ".strip()",
        ("tests/test_doctor.py", "-k", "export"),
    ),
    Mutant(
        "redact() hides .env's secrets only, not one exported in the shell",
        "tools/services/env_settings.py",
        "        settings = read_settings()\n    except Fail:",
        '        settings = {**_dotenv_values(ROOT / ".env")}\n    except Fail:',
        ("tests/test_shared_machine.py", "-k", "error_line"),
    ),
    Mutant(
        "an exported setting no longer wins over .env",
        "tools/services/env_settings.py",
        "    settings.update({k: v for k, v in os.environ.items() if k in settings})\n",
        "",
        ("tests/test_services.py", "-k", "unreachable_server"),
    ),
    Mutant(
        "a long build step's progress line loses what is running",
        "tools/services/common.py",
        'f"still {stage}: {elapsed:.0f} s so far',
        'f"{elapsed:.0f} s so far',
        ("tests/test_services.py", "-k", "long_build"),
    ),
    Mutant(
        "the doctor accepts any AWS key, letters and digits or not",
        "tools/doctor.py",
        "if not s[name].isalnum():",
        "if not s[name]:",
        ("tests/test_doctor.py", "-k", "provoked_cause"),
    ),
    Mutant(
        "practice verify counts a known-wrong file's NameError as the mistake caught",
        "tools/practice.py",
        "    if caught and len(slips) == len(caught):",
        "    if False:",
        ("tests/test_practice.py", "-k", "crash_of_pythons"),
    ),
    # --- tasks.py ---
    Mutant(
        "install leaves an .env edited to log in as root on root",
        "tasks.py",
        '    text = re.sub(r"(?m)^MYSQL_USER=.*$", "MYSQL_USER=lesson", text)\n',
        "",
        ("tests/test_doctor.py", "-k", "log_in_as_root"),
    ),
    Mutant(
        "make lint no longer runs actionlint",
        "tasks.py",
        '        self.sh(self.py, "-m", "tools.actionlint")\n',
        "",
        ("tests/test_ci_files.py", "-k", "actionlint"),
    ),
    Mutant(
        "tasks.py run of no lesson script exits 1, not 2 as a usage error",
        "tasks.py",
        'e.g. `run 03/main.py`", file=sys.stderr)\n            raise Failed(2)',
        'e.g. `run 03/main.py`", file=sys.stderr)\n            raise Failed(1)',
        ("tests/test_tasks.py", "-k", "run_needs_no_activation"),
    ),
    Mutant(
        "install makes .env readable by every user",
        "tasks.py",
        "os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)",
        "os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)",
        ("tests/test_shared_machine.py", "-k", "install_creates_env_private"),
    ),
    Mutant(
        "install writes short secrets",
        "tasks.py",
        'f"{line.group(1)}={secrets.token_hex(16)}"',
        'f"{line.group(1)}={secrets.token_hex(8)}"',
        ("tests/test_shared_machine.py", "-k", "every_install_writes"),
    ),
    Mutant(
        "make test no longer checks that every script was run",
        "tasks.py",
        ', record, "--check-runs", check=False)',
        ", record, check=False)",
        ("tests/test_tasks.py", "-k", "make_test_runs_in_parallel"),
    ),
    # --- the lesson ---
    Mutant(
        "01 shows users older than 30 instead of 30 and older",
        "lesson-17/01/main.py",
        "WHERE age >= 30",
        "WHERE age > 30",
        ("tests/test_01_sqlite.py",),
    ),
    Mutant(
        "01 leaves tutorial.db behind",
        "lesson-17/01/main.py",
        "    if not KEEP_DB:\n        DB_FILE.unlink()\n",
        "",
        ("tests/test_01_sqlite.py",),
    ),
    Mutant(
        "01's fix pastes the name into the SQL after all",
        "lesson-17/01/pitfall_sql_injection.py",
        'con.execute("SELECT name FROM user WHERE name = ?", (BYPASS,))',
        "con.execute(f\"SELECT name FROM user WHERE name = '{BYPASS}'\")",
        ("tests/test_performance_and_pitfalls.py", "-k", "sql_injection"),
    ),
    Mutant(
        "02 filters ages above 30",
        "lesson-17/02/main.py",
        "select(User).where(User.age >= 30)",
        "select(User).where(User.age > 30)",
        ("tests/test_02_sqlalchemy_sqlite.py",),
    ),
    Mutant(
        "the lesson README's expected output for 01 drifts",
        "lesson-17/README.md",
        "Name: Charlie, Age: 35\n```",
        "Name: Charlie, Age: 36\n```",
        ("tests/test_01_sqlite.py",),
    ),
    Mutant(
        "04 no longer tells a refused key from any other failure",
        "lesson-17/04/settings.py",
        'if code in ("UnrecognizedClientException", "InvalidSignatureException"):',
        'if code in ("InvalidSignatureException",):',
        ("tests/test_04_dynamodb.py", "-k", "server_refuses"),
    ),
    Mutant(
        "04's unreachable line drops the address it tried",
        "lesson-17/04/settings.py",
        'f"error: cannot reach DynamoDB at {HOST}. {HOW_TO_START}"',
        'f"error: cannot reach DynamoDB. {HOW_TO_START}"',
        ("tests/test_performance_and_pitfalls.py", "-k", "without_its_server and 04-main"),
    ),
    Mutant(
        "05's unreachable line drops the address it tried",
        "lesson-17/05/settings.py",
        'f"error: cannot reach InfluxDB at {url}. {HOW_TO_START}"',
        'f"error: cannot reach InfluxDB. {HOW_TO_START}"',
        ("tests/test_performance_and_pitfalls.py", "-k", "without_its_server and 05-write"),
    ),
    Mutant(
        "03's driver is no longer pinned exactly",
        "lesson-17/03/requirements.txt",
        "PyMySQL==",
        "PyMySQL>=",
        ("tests/test_pins.py",),
    ),
    Mutant(
        "03's healthcheck puts root's password on the command line",
        "lesson-17/03/docker-compose.yml",
        'MYSQL_PWD="$$MYSQL_ROOT_PASSWORD" mysql -h 127.0.0.1 -uroot -e',
        "mysql -h 127.0.0.1 -uroot -p${MYSQL_ROOT_PASSWORD} -e",
        ("tests/test_shared_machine.py", "-k", "healthchecks"),
    ),
    Mutant(
        "03's README forgets a migration",
        "lesson-17/03/README.md",
        "`0003_drop_duplicate_email_index.py`",
        "0003",
        ("tests/test_section_readmes.py",),
    ),
    Mutant(
        "a bench flag without help",
        "benchmarks/bench.py",
        'help="users in the N+1 case"',
        'help=""',
        ("tests/test_bench.py", "-k", "explained"),
    ),
]


def copy_checkout(commit):
    """The tracked files (or those of `commit`) in a temporary folder, in a git index of
    their own (tests ask git what is tracked), with .env and a link to .venv."""
    top = Path(tempfile.mkdtemp(prefix="lesson17-mutation-"))
    if commit:
        archive = subprocess.run(
            ["git", "archive", commit], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", top], input=archive, check=True)
    else:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split("\0")
        for name in filter(None, listed):
            if (ROOT / name).is_file():
                (top / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, top / name)
    subprocess.run(["git", "init", "-q"], cwd=top, check=True)
    subprocess.run(["git", "add", "-A"], cwd=top, check=True)
    shutil.copy2(ROOT / ".env", top / ".env")  # after `git add`: untracked, as here
    (top / ".venv").symlink_to(ROOT / ".venv")
    return top


def run_tests(top, tests):
    argv = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly"]
    argv += ["-p", "no:cacheprovider", *tests]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(argv, cwd=top, env=env, capture_output=True, text=True, timeout=900)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", help="plant the bugs in this commit's code and tests instead")
    parser.add_argument("-k", dest="only", help="only the mutants whose name has this text")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTANTS if not args.only or args.only in m.name]
    top = copy_checkout(args.at)
    caught, missed, not_judged, started = [], [], [], time.monotonic()
    try:
        broken = set()
        for tests in dict.fromkeys(m.tests for m in chosen):  # each selection once, unplanted
            proc = run_tests(top, tests)
            if proc.returncode not in (0, 5):  # 5: selects nothing (an older suite)
                broken.add(tests)
                print(f"error: these tests fail with no bug planted: {' '.join(tests)}")
                print(proc.stdout[-1500:], file=sys.stderr)
        for mutant in chosen:
            target = top / mutant.path
            original = target.read_text() if target.exists() else ""
            if original.count(mutant.old) != 1 or mutant.tests in broken:
                not_judged.append(mutant.name)
                why = "its tests fail unplanted" if mutant.tests in broken else "no such code"
                print(f"{'not judged (' + why + ')':<26} {mutant.name}", flush=True)
                continue
            target.write_text(original.replace(mutant.old, mutant.new))
            try:
                proc = run_tests(top, mutant.tests)
            finally:
                target.write_text(original)
            found = proc.returncode == 1
            (caught if found else missed).append(mutant.name)
            verdict = "caught" if found else f"MISSED (pytest exit {proc.returncode})"
            print(f"{verdict:<26} {mutant.name}", flush=True)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    print(
        f"\n{len(caught)} of {len(caught) + len(missed)} planted bugs caught"
        + (f", {len(not_judged)} not judged" if not_judged else "")
        + f" ({time.monotonic() - started:.0f} s)"
    )
    return 1 if missed or (not_judged and not args.at) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
