#!/usr/bin/env python3
"""One entry point on every OS: `python3 tasks.py TARGET` (on Windows: `py tasks.py TARGET`).

The Makefile's targets call this file, so `make demo` and `py tasks.py demo` do the same
thing. No activation, no `cd`, no `&&`: `py tasks.py run 03/main.py` runs a lesson
script in its folder with the project's Python. `-n` prints the commands instead of
running them (as `make -n`); `--venv DIR` chooses the virtualenv (default .venv).
Standard library only.
"""

import inspect
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from tools.install import in_use, published_secrets
from tools.platforms import (
    command,
    for_this_os,
    script_command,
    tasks_py,
    venv_python,
)

ROOT = Path(__file__).resolve().parent

# Every lesson script, in lesson order, as `demo` runs them, with the point it makes.
DEMO = {
    "01/main.py": "sqlite3 from the standard library: a table, rows, ? placeholders",
    "02/main.py": "the SQLAlchemy ORM on SQLite: models, a session, a query",
    "03/main.py": "the same ORM code on MySQL: only the URL changes",
    "04/main.py": "PynamoDB on DynamoDB Local: a table, save(), get()",
    "05/write.py": "InfluxDB: three sensors' readings written in batches",
    "05/query.py": "Flux: 15-minute means of the hour just written",
    "05/plot.py": "the readings and their means as a chart (sensors.png)",
    "03/advanced_pool.py": "a connection pool: few connections, many threads, pre-ping",
    "03/advanced_migrate.py": "Alembic: upgrade, autogenerate's view, check, downgrade",
    "03/advanced_queries.py": "and_/or_, an aggregate, a subquery, eager loading",
    "04/advanced_operations.py": "DynamoDB maps and lists; a scan, filtered two ways",
    "04/advanced_concurrency.py": "many writers, one counter: lost updates, versions, atomic ADD",
    "03/best_connections.py": "best practice 1: a session gives its connection back",
    "03/best_error_handling.py": "best practice 2: roll back, and objects after commit",
    "03/best_query_optimisation.py": "best practice 3: N+1 against joinedload and selectinload",
    "03/performance_indexing.py": "an index turns a full scan into a lookup (EXPLAIN)",
    "03/performance_batching.py": "one statement for many rows instead of one per row",
    "04/performance_indexes.py": "a secondary index answers by tag without a scan",
    "05/performance_downsample.py": "retention and downsampling: keep means, let raw points expire",
    "03/pitfall_unclosed.py": "pitfall: a transaction left open holds its connection",
    "03/pitfall_error_handling.py": "pitfall: a failed flush left without a rollback",
    "03/pitfall_credentials.py": "pitfall: a password in the code and in the logs",
    "03/pitfall_transactions.py": "pitfall: half an order saved without a transaction",
    "03/pitfall_schema.py": "pitfall: no constraints, so bad rows get in",
    "03/pitfall_no_pool.py": "pitfall: a new connection for every query",
    "05/pitfall_unclosed_writer.py": "pitfall: a batching writer never closed loses points",
    "01/pitfall_sql_injection.py": "pitfall: SQL built with an f-string",
}


PLACEHOLDER = "madebymakeinstall"  # the value of each secret in .env.example


def with_fresh_secrets(text):
    """.env.example's text with every placeholder replaced by its own random value: no
    two machines share a password, and none is published in the repository."""
    return re.sub(
        rf"(?m)^([A-Z_]+)={re.escape(PLACEHOLDER)}$",
        lambda line: f"{line.group(1)}={secrets.token_hex(16)}",
        text,
    )


LOCAL = ("127.0.0.1", "localhost", "::1")  # the lesson's own servers, not a managed MySQL


def with_lesson_user(text):
    """An .env edited to log in to the lesson's own server as root: (new text, what
    changed). The scripts log in as `lesson` again; root's password stays
    MYSQL_ROOT_PASSWORD, for set-up only (doctor's warning sends students here)."""
    values = dict(re.findall(r"(?m)^([A-Z_]+)=(.*)$", text))
    if values.get("MYSQL_USER") != "root" or values.get("MYSQL_HOST", LOCAL[0]) not in LOCAL:
        return text, []  # a managed server elsewhere keeps the user its owner gave
    text = re.sub(r"(?m)^MYSQL_USER=.*$", "MYSQL_USER=lesson", text)
    if values.get("MYSQL_PASSWORD") == values.get("MYSQL_ROOT_PASSWORD"):  # not root's
        text = re.sub(
            r"(?m)^MYSQL_PASSWORD=.*$",
            lambda _: f"MYSQL_PASSWORD={secrets.token_hex(16)}",
            text,
        )
    made = f"`{command('services')}` makes that user"
    return text, [f"the scripts now log in to MySQL as `lesson`, not root ({made})"]


def with_published_replaced(text):
    """(new text, names): each secret that holds a value this repository published (an
    .env from an earlier version) gets a fresh random one; INFLUXDB_TOKEN is emptied,
    for `make services` to make the scripts' own."""
    names = published_secrets(text)
    for name in names:
        value = "" if name == "INFLUXDB_TOKEN" else secrets.token_hex(16)
        line = rf"(?m)^((?:export[ \t]+)?{name}[ \t]*=).*$"
        text = re.sub(line, lambda m, v=value: m[1] + v, text)
    return text, names


FROM_MAKE = []  # [True] when make runs this process: main() reads it


def typed(make_form, tasks_form):
    """A task with its arguments as the student typed it: make's form when make runs us,
    else tasks.py as this OS runs it."""
    return make_form if FROM_MAKE else tasks_py(tasks_form)


class Failed(Exception):
    """A step failed: its exit code ends the task (the step already said why)."""


class Tasks:
    def __init__(self, venv, dry_run):
        self.venv = Path(venv)
        self.py = venv_python(self.venv)
        self.dry_run = dry_run

    def sh(self, *argv, cwd=ROOT, env=None, check=True):
        argv = [str(a) for a in argv]
        if self.dry_run:
            where = f"(in {Path(cwd).relative_to(ROOT)}) " if Path(cwd) != ROOT else ""
            print(where + " ".join(argv))
            return 0
        code = subprocess.run(argv, cwd=cwd, env=env).returncode
        if code and check:
            raise Failed(code)
        return code

    # --- the targets; the first docstring line is the help text ---

    def help(self):
        """list the targets"""
        for name in TARGETS:
            doc = " ".join(getattr(self, name.replace("-", "_")).__doc__.split())
            print(f"  {command(name):<26} {for_this_os(doc)}")

    def install(self):
        """create .venv (PYTHON=python3.x to choose), install requirements.txt, create .env"""
        self.sh(sys.executable, "-m", "tools.install", "--venv", self.venv)
        self.create_env()
        self.give_back()

    def give_back(self):
        """Under sudo, .env and .venv go to the user who typed it: made root's by a first
        `sudo make services`, they stopped that user's next `make demo` with a
        PermissionError. Only in a checkout of that user's, and only inside it."""
        uid, gid = os.environ.get("SUDO_UID", ""), os.environ.get("SUDO_GID", "")
        if self.dry_run or not uid.isdigit() or not gid.isdigit():
            return
        if getattr(os, "geteuid", lambda: -1)() != 0 or ROOT.stat().st_uid != int(uid):
            return
        for top in (ROOT / ".env", self.venv):
            if ROOT not in top.resolve().parents or not top.exists():
                continue
            paths = [top] if top.is_file() else [top, *top.rglob("*")]
            for path in paths:
                if path.lstat().st_uid != int(uid):
                    os.chown(path, int(uid), int(gid), follow_symlinks=False)

    def venv_python(self):
        """.venv's own Python, when it runs: the one `install` made it with."""
        made = (self.venv / "pyvenv.cfg").exists() and Path(self.py).resolve().is_file()
        return self.py if made else None

    def ensure(self):
        """What every target does first: `install`, but with the Python that made .venv.
        One `make install PYTHON=python3.12` is enough: a later `make demo` run by the
        system's python3 (3.9 on macOS) neither refuses it nor rebuilds .venv with it."""
        python = self.venv_python() or sys.executable
        self.sh(python, "-m", "tools.install", "--venv", self.venv)
        self.create_env()
        self.give_back()

    def create_env(self):
        env, example = ROOT / ".env", ROOT / ".env.example"
        if self.dry_run:
            print("copy .env.example to a private .env, if there is no .env")
        elif not env.exists():
            # Private from the first byte: students put real credentials in it.
            fd = os.open(env, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(with_fresh_secrets(example.read_text()))
            print(
                "install: created .env from .env.example, with fresh random passwords and "
                "tokens (readable by you only)"
            )
        else:
            if os.name == "posix" and env.stat().st_mode & 0o077:
                env.chmod(0o600)
                print("install: .env was readable by other users: made it private (chmod 600)")
            text, notes = with_lesson_user(env.read_text())
            text, published = with_published_replaced(text)
            if published:
                notes.append(
                    f"new random values for {', '.join(published)}, which held a value this "
                    "repository published (anyone who read it knew them); a server set up "
                    f"with the old ones keeps them: `{command('services')}` says how to reset it"
                )
            if notes:
                env.write_text(text)
                print(f"install: updated .env: {'; '.join(notes)}")

    def doctor(self):
        """when something is wrong: check Python, .venv, .env, ports and servers, say the fix"""
        self.sh(self.venv_python() or sys.executable, "-m", "tools.doctor", "--venv", self.venv)

    def services(self, quiet=False):
        """start MySQL, DynamoDB Local and InfluxDB (Docker if present, else natively)"""
        self.ensure()  # says nothing when there is nothing to do
        if quiet and not self.dry_run:  # make check: nothing to say if all are healthy
            status = [self.py, "-m", "tools.services", "status"]
            if subprocess.run(status, cwd=ROOT, capture_output=True).returncode == 0:
                return
        self.sh(self.py, "-m", "tools.services", "up")

    def services_down(self):
        """stop the servers that `services` started"""
        python = self.py if Path(self.py).exists() else sys.executable
        self.sh(python, "-m", "tools.services", "down")

    def services_status(self):
        """show whether each server is reachable with the .env settings"""
        self.ensure()
        self.sh(self.py, "-m", "tools.services", "status")

    def demo(self, section="", pause=""):
        """run every lesson script in order, as a student would (make demo SECTION=03 or
        tasks.py demo 03: one section; PAUSE=1 or tasks.py demo all pause: wait for
        Enter before each script, for a class)"""
        section = "" if section == "all" else section
        section = f"{int(section):02d}" if section.isdigit() else section  # SECTION=3 is 03
        chosen = [s for s in DEMO if not section or s.split("/")[0] == section]
        if not chosen:
            print(f"error: no section '{section}': choose 01, 02, 03, 04 or 05", file=sys.stderr)
            raise Failed(2)
        if pause not in ("", "0", "1", "pause"):
            wait = typed("make demo PAUSE=1", "demo all pause")
            print(
                f"error: PAUSE is 1 or 0, not {pause!r}: `{wait}` waits for Enter before each "
                "script",
                file=sys.stderr,
            )
            raise Failed(2)
        self.services()
        for script in chosen:
            folder, name = script.split("/")
            print(f"\n=== lesson-17/{script}: {DEMO[script]}", flush=True)
            if pause in ("1", "pause") and not self.dry_run:
                try:
                    input(f"    {script_command(script)}    [Enter to run]")
                except EOFError:  # no terminal to press Enter in
                    plain = typed(
                        f"make demo{' SECTION=' + section if section else ''}",
                        f"demo {section or 'all'}",
                    )
                    print(
                        "\nerror: PAUSE waits for Enter, and there is no input: run it in a "
                        f"terminal, or without the pauses: `{plain}`",
                        file=sys.stderr,
                    )
                    raise Failed(1) from None
            else:
                print(f"    {script_command(script)}", flush=True)
            self.sh(self.py, name, cwd=ROOT / "lesson-17" / folder)

    def run(self, script="", *args):
        """run one lesson script in its folder with .venv's Python (make run SCRIPT=03/main.py
        or tasks.py run 03/main.py)"""
        path = (ROOT / "lesson-17" / script.removeprefix("lesson-17/")).resolve()
        if not script or not path.is_file():
            name = Path(script).name
            sections = [s.split("/")[0] for s in DEMO if script and s.endswith("/" + name)]
            example = f"{sections[0]}/{name}" if sections else "03/main.py"
            hint = typed(f"make run SCRIPT={example}", f"run {example}")
            where = f" ({name} is in {', '.join(sections)})" if len(sections) > 1 else ""
            print(f"error: name a lesson script with its section: `{hint}`{where}", file=sys.stderr)
            raise Failed(2)
        self.ensure()
        self.sh(self.py, path.name, *args, cwd=path.parent)

    def reset(self):
        """empty the lesson's databases, tables and buckets, as a fresh `services` has them"""
        self.ensure()
        self.sh(self.py, "-m", "tools.services", "reset")

    def mysql_shell(self):
        """the MySQL (MariaDB) command-line client, logged in with the .env settings"""
        self.ensure()
        self.sh(self.py, "-m", "tools.services.look", "mysql")

    def dynamodb_items(self):
        """list DynamoDB Local's tables and the first items of each"""
        self.ensure()
        self.sh(self.py, "-m", "tools.services.look", "dynamodb")

    def influx_points(self):
        """the newest points of the lesson's InfluxDB bucket"""
        self.ensure()
        self.sh(self.py, "-m", "tools.services.look", "influxdb")

    def test(self, *args):
        """run every script end to end against the real servers (pytest)"""
        self.services()
        self.compose_cli()
        if args:  # pytest's own arguments: one session, as typed
            self.sh(self.py, "-m", "pytest", *args)
            return
        # Most tests in parallel worker processes, each in its own database, bucket and
        # DynamoDB key (tests/utils/settings.py); then, by themselves, the ones marked
        # `alone`: they restart a server or count what the whole server does.
        workers = os.environ.get("TEST_WORKERS") or str(min(8, 2 * (os.cpu_count() or 1)))
        # Both parts note what they proved in one file; the second checks that, together,
        # they ran every script twice as a student and compared every README block.
        runs = ROOT / ".pytest_cache" / "lesson17-runs.jsonl"
        if not self.dry_run:
            runs.parent.mkdir(exist_ok=True)
            runs.unlink(missing_ok=True)
        record = f"--record-runs={runs.relative_to(ROOT)}"
        together = self.sh(
            self.py, "-m", "pytest", "-n", workers, "-m", "not alone", record, check=False
        )
        alone = self.sh(self.py, "-m", "pytest", "-m", "alone", record, "--check-runs", check=False)
        if together or alone:
            raise Failed(together or alone)

    def practice(self):
        """every practice exercise: its solution passes, its starter fails"""
        self.services()
        self.sh(self.py, "-m", "tools.practice", "verify")

    def check(self, exercise="", file=""):
        """check your practice work (make check EXERCISE=3 FILE=mine.py or tasks.py check 3
        mine.py; inside an exercise's folder: make check FILE=mine.py)"""
        here = Path.cwd().resolve()
        practice = ROOT / "lesson-17" / "practice"
        chosen = (here / file).resolve() if file else here
        for folder in (here, chosen.parent):  # inside the exercise's folder, or its file's
            if not exercise and folder.parent == practice and folder.name[:1].isdigit():
                exercise = folder.name.split("_")[0]
        if not exercise:
            which = typed("make check EXERCISE=1", "check 1")
            print(
                f"error: say which exercise: `{which}` (1 to 6), or run it inside the exercise's "
                "folder",
                file=sys.stderr,
            )
            raise Failed(2)
        if file and not chosen.is_file():
            folder = next(iter(sorted(practice.glob(f"{exercise}_*"))), practice)
            starter = os.path.relpath(folder / "starter.py", here)
            print(
                f"error: there is no {file} yet: start from the starter, `cp {starter} {file}`, "
                "and write your code in the copy",
                file=sys.stderr,
            )
            raise Failed(2)
        file = str(chosen) if file else ""  # as typed where you are
        self.services(quiet=True)
        self.sh(self.py, "-m", "tools.practice", "check", exercise, *([file] if file else []))

    def compose_cli(self):
        """find `docker compose`, or build the same Compose once (the tests validate with it)"""
        if self.dry_run:
            return self.sh(sys.executable, "-m", "tools.services.compose_cli")
        found = subprocess.run(
            [sys.executable, "-m", "tools.services.compose_cli"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        if found.returncode:
            raise Failed(found.returncode)

    def bench(self, *args):
        """the performance chapter measured: ratios, a table, benchmarks/results/bench.png"""
        self.services()
        self.sh(self.py, "benchmarks/bench.py", *args)

    def lint(self):
        """ruff check, ruff format --check, and actionlint on the GitHub workflows"""
        self.ensure()
        self.sh(self.py, "-m", "ruff", "check", ".")
        self.sh(self.py, "-m", "ruff", "format", "--check", ".")
        self.sh(self.py, "-m", "tools.actionlint")

    def format(self):
        """apply ruff's fixes and formatting"""
        self.ensure()
        self.sh(self.py, "-m", "ruff", "check", "--fix", ".")
        self.sh(self.py, "-m", "ruff", "format", ".")

    def clean(self):
        """stop the servers, remove .venv and the servers' data (Docker volumes too); keeps .env"""
        if self.venv.exists() and not (self.venv / "pyvenv.cfg").exists():  # VENV=~ or a typo
            print(
                f"error: {self.venv} is not a virtualenv (no pyvenv.cfg), and clean removes "
                "only a virtualenv: nothing was stopped or removed",
                file=sys.stderr,
            )
            raise Failed(1)
        python = self.py if Path(self.py).exists() else sys.executable
        self.sh(python, "-m", "tools.services", "down", "--volumes", check=False)
        doomed = [ROOT / n for n in (self.venv, ".services", ".pytest_cache", ".ruff_cache")]
        doomed += sorted(ROOT.rglob("__pycache__"))
        for folder in doomed:
            if self.dry_run:
                print(f"remove {folder}")
                continue
            try:
                shutil.rmtree(folder)
            except FileNotFoundError:
                continue
            except OSError as exc:  # Windows: WinError 32, a file in use; the rest is kept
                print(f"error: clean stopped: {in_use(folder, exc)}, then "
                      f"`{command('clean')}` again", file=sys.stderr)  # fmt: skip
                raise Failed(1) from None


TARGETS = [
    "help", "install", "doctor", "services", "services-down", "services-status", "demo",
    "run", "reset", "mysql-shell", "dynamodb-items", "influx-points", "test", "practice",
    "check", "compose-cli", "bench", "lint", "format", "clean",
]  # fmt: skip


def main(argv):
    # make puts MAKELEVEL and its flags in its recipes' environment (with -q: question
    # mode, tools/quietly.mk). Taken out, so that what we start (pytest, and the make and
    # tasks.py its tests run) neither passes for make's child nor inherits make's flags.
    FROM_MAKE[:] = [True] if os.environ.pop("MAKELEVEL", None) else []
    for name in ("MAKEFLAGS", "MFLAGS"):
        os.environ.pop(name, None)
    venv, dry_run = os.environ.get("VENV", ".venv"), False
    while argv and argv[0].startswith("-"):
        option = argv.pop(0)
        if option == "-n":
            dry_run = True
        elif option == "--venv" and argv:
            venv = argv.pop(0)
        else:
            argv = []
    target = argv[0] if argv else "help"
    if target not in TARGETS:
        print(f"error: no target {target!r}: `{tasks_py('help')}` lists them", file=sys.stderr)
        return 2
    task = getattr(Tasks(ROOT / venv, dry_run), target.replace("-", "_"))
    try:
        inspect.signature(task).bind(*argv[1:])
    except TypeError:
        print(f"error: too many arguments for {target}: `{tasks_py('help')}`", file=sys.stderr)
        return 2
    try:
        task(*argv[1:])
    except Failed as failed:
        return failed.args[0]
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
