"""Fixtures for the practice exercises, and the results `tools/practice.py` reads.

Which file a test checks: EXERCISE_FILES, a JSON object {exercise folder: [paths]} that
tools/practice.py sets (`make check` passes your file; `make practice` passes each
solution, each starter and each known-wrong solution). Without it, the starter beside
the tests. A test that uses the `exercise` fixture runs once per file.

A known-wrong solution (`<exercise>/tests/wrong/*.py`) holds only what it gets wrong:
it is loaded as solution.py's code with the wrong file's code run over it, so it reads
as "the reference solution, except this". Its CAUGHT_BY names the test that must reject it.

Each test says which function it is about (`@pytest.mark.about("update_user")`) and
sets its data up without the others, so an unwritten function fails its own test only.
A test marked `@pytest.mark.stretch` grades an optional part: `make check` lists it
apart, and the exercise is done without it.
"""

import importlib.util
import json
import os
import re
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest
from dotenv import load_dotenv

HERE = Path(__file__).resolve().parent
EXERCISES = sorted(p for p in HERE.glob("[0-9]_*") if p.is_dir())
EXPORTED = frozenset(os.environ)  # names exported before .env is read: they win over .env


def lesson_module(name, path):
    """A lesson file loaded by its path (no sys.path edit): section 03's settings."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Section 03's settings, for its guard: its scripts drop and recreate their tables only in
# a database that is empty (then marked) or carries the lesson's mark, and so do these
# tests (see mysql_url). Loading it registers that guard on every engine's first connection.
LESSON_03 = lesson_module("lesson17_03_settings", HERE.parent / "03" / "settings.py")
load_dotenv(HERE.parents[1] / ".env")  # the repository's settings, as the lesson's scripts
# The rule of 04/settings.py: DYNAMODB_HOST empty means real AWS, where .env's key pair
# (DynamoDB Local's dummy one) must not be sent: botocore then finds your own credentials.
if not os.getenv("DYNAMODB_HOST", "http://127.0.0.1:8000"):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if name not in EXPORTED:
            os.environ.pop(name, None)
for folder in EXERCISES:  # each exercise's given models, importable by its tests and files
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


def pytest_configure(config):
    config.addinivalue_line("markers", "about(function): the function a test checks")
    config.addinivalue_line("markers", "stretch: grades an optional part of the exercise")


# --- which files, loaded how ---


def exercise_of(path):
    """The exercise folder a test file or an exercise file belongs to."""
    return next(p for p in Path(path).resolve().parents if p.parent == HERE)


def files_for(folder):
    chosen = json.loads(os.environ.get("EXERCISE_FILES") or "{}")
    return [Path(p) for p in chosen.get(folder.name, [folder / "starter.py"])]


def label(path):
    """How a file is named in the results: starter.py, solution.py, wrong/flush_only.py."""
    path = Path(path).resolve()
    return f"wrong/{path.name}" if path.parent.name == "wrong" else path.name


class LoadError(Exception):
    """The file under check does not load: a syntax error, a failed import..."""


LOADED = {}


def load(path, folder):
    """The module at path (a wrong one over folder's solution), loaded once; LoadError if
    it does not load."""
    path = Path(path).resolve()
    if path not in LOADED:
        try:
            LOADED[path] = _load(path, folder)
        except Exception as exc:  # whatever the file does wrong, say it once, with its line
            LOADED[path] = LoadError(where(exc, path))
    if isinstance(LOADED[path], LoadError):
        raise LOADED[path]
    return LOADED[path]


def _load(path, folder):
    name = f"exercise_{len(LOADED)}_{label(path).replace('/', '_')[:-3]}"
    module = type(sys)(name)
    module.__file__ = str(path)
    sys.modules[name] = module  # SQLAlchemy and PynamoDB look classes up by module
    layers = [path]
    if path.parent.name == "wrong":
        layers.insert(0, folder / "solution.py")
    for layer in layers:
        exec(compile(layer.read_text(), str(layer), "exec"), module.__dict__)
    return module


def where(exc, path):
    """'mine.py, line 7: ImportError: ...': the line of the file under check at fault."""
    line = getattr(exc, "lineno", None) if isinstance(exc, SyntaxError) else None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path:
            line = frame.lineno
    text = " ".join(str(exc).split()) if not isinstance(exc, SyntaxError) else exc.msg
    return f"{path.name}, line {line}: {type(exc).__name__}: {text}"


def pytest_generate_tests(metafunc):
    if "exercise" in metafunc.fixturenames:
        files = files_for(exercise_of(metafunc.definition.path))
        metafunc.parametrize(
            "exercise", files, indirect=True, ids=[label(f) for f in files], scope="module"
        )


def pytest_collection_modifyitems(config, items):
    """A known-wrong solution is the reference solution with one mistake, made in one
    part of its exercise: the main task or the stretch goal (exercise 6). It runs the
    tests of the part its CAUGHT_BY test is in; the other part is the reference's own
    code, which the reference's run proves already."""
    stretch = {(exercise_of(i.path), i.originalname): is_stretch(i) for i in items}
    chosen, left = [], []
    for item in items:
        path = item.callspec.params.get("exercise") if hasattr(item, "callspec") else None
        if path is not None and Path(path).parent.name == "wrong":
            caught_by = re.search(r'^CAUGHT_BY = "(\w+)"', Path(path).read_text(), re.M)
            part = caught_by and stretch.get((exercise_of(item.path), caught_by[1]))
            if part is not None and part != is_stretch(item):
                left.append(item)
                continue
        chosen.append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = chosen


def is_stretch(item):
    return item.get_closest_marker("stretch") is not None


@pytest.fixture(scope="module")
def exercise(request):
    """The module under check (one of EXERCISE_FILES, else the starter)."""
    return load(request.param, exercise_of(request.path))


@pytest.fixture(scope="module")
def reference(request):
    """The exercise's reference solution (solution.py), which generated cases compare with."""
    folder = exercise_of(request.path)
    return load(folder / "solution.py", folder)


@pytest.fixture(scope="session")
def generated():
    """generated(n): Hypothesis settings for n cases drawn the same way on every run
    (derandomized, no example database), so that `make check` says the same each time
    and stays quick. No shrinking: each failure message names the first step that went
    wrong already."""
    from hypothesis import HealthCheck, Phase, settings

    def make(max_examples):
        return settings(
            max_examples=max_examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=(Phase.explicit, Phase.generate),
            suppress_health_check=list(HealthCheck),
            print_blob=False,
        )

    return make


# --- the servers, as the lesson's scripts reach them ---


@pytest.fixture(scope="session")
def mysql_url():
    """The lesson's MySQL database, once section 03's guard has found it is the lesson's:
    the exercises drop and recreate their tables there, and nowhere else."""
    from sqlalchemy import URL, NullPool, create_engine

    url = URL.create(
        "mysql+pymysql",
        username=os.getenv("MYSQL_USER", "lesson"),
        password=os.environ["MYSQL_PASSWORD"],  # from .env: `make install` writes it
        host=os.getenv("MYSQL_HOST", "127.0.0.1"),
        port=int(os.getenv("MYSQL_PORT", "3306")),
        database=os.getenv("MYSQL_DATABASE", "demo"),
    )
    engine = create_engine(url, poolclass=NullPool)
    try:
        engine.connect().close()  # the guard runs here, before any table is dropped
    except SystemExit as refused:  # the guard's one line: somebody's database
        pytest.fail(str(refused.code).removeprefix("error: "), pytrace=False)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def mysql_engine(mysql_url):
    """One engine on the lesson's MySQL database for every test of the session."""
    from sqlalchemy import create_engine

    engine = create_engine(mysql_url)
    yield engine
    engine.dispose()


MADE = {}  # database URL -> {table name: its DDL}: the tables made there in this session
DESIGNS = {}  # (database URL, id of a MetaData) -> (that MetaData, {table name: its DDL})


def ddl(engine, table):
    """A table (and its indexes) as the database would be told to create it."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    made = [str(CreateTable(table).compile(engine))]
    made += sorted(str(CreateIndex(index).compile(engine)) for index in table.indexes)
    return "\n".join(made)


def empty_tables(engine, metadata, *inserts):
    """An exercise's tables, empty, then given the rows of `inserts` (SQL statements) in
    the same transaction. A table is made afresh (dropped and created) when the database
    does not hold it as metadata has it: the first time in a session, so a changed model
    is picked up, and whenever a file under check designs it otherwise (exercise 6's
    students write their own models), and so are the tables that refer to it. The
    others are emptied row by row, which is quicker."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.schema import DropTable

    made = MADE.setdefault(str(engine.url), {})
    if (str(engine.url), id(metadata)) not in DESIGNS:  # compiled once per file under check
        DESIGNS[str(engine.url), id(metadata)] = (
            metadata,
            {table.name: ddl(engine, table) for table in metadata.sorted_tables},
        )
    wanted = DESIGNS[str(engine.url), id(metadata)][1]
    stale = {name for name, want in wanted.items() if made.get(name) != want}
    for table in metadata.sorted_tables:  # sorted: each after the tables it refers to
        if {fk.target_fullname.rsplit(".", 1)[0] for fk in table.foreign_keys} & stale:
            stale.add(table.name)
    gone = stale | (set(made) - set(wanted))  # and an earlier design's tables of its own
    mysql = engine.dialect.name == "mysql"
    with engine.begin() as conn:
        if gone and mysql:  # an earlier design's foreign keys must not order the drops
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        try:
            for name in sorted(gone):
                made.pop(name, None)
                conn.execute(DropTable(sa_table(name), if_exists=True))
        finally:
            if gone and mysql:
                conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
        for table in metadata.sorted_tables:
            if table.name in stale:
                try:
                    table.create(conn)
                except DBAPIError as exc:  # a student's design the database cannot make
                    raise AssertionError(
                        f"the database refused to create {table.name}: {exc.orig}"
                    ) from None
                made[table.name] = wanted[table.name]
        for table in reversed(metadata.sorted_tables):
            if table.name not in stale:
                conn.execute(table.delete())
        for statement in inserts:
            conn.execute(text(statement))


def sa_table(name):
    """A bare Table of that name, enough to drop it."""
    from sqlalchemy import MetaData, Table

    return Table(name, MetaData())


@pytest.fixture(scope="session")
def tables():
    """tables(engine, metadata, *inserts): empty_tables as a fixture, for the exercises'
    tests."""
    return empty_tables


@pytest.fixture
def sql_sent():
    """sql_sent(engine) -> a list that grows by one (statement, rows) per statement sent:
    rows is how many rows the server returned (MySQL; -1 where SQLite does not say)."""
    from sqlalchemy import event

    listening = []

    def start(engine):
        sent = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            sent.append((statement, cursor.rowcount if cursor.description else 0))

        event.listen(engine, "after_cursor_execute", listener)
        listening.append((engine, listener))
        return sent

    yield start
    for engine, listener in listening:
        event.remove(engine, "after_cursor_execute", listener)


class Meeting:
    """Where the racing threads of at_once wait for each other. A thread goes on once each
    other thread has arrived too, has finished, or has been inside one statement for
    `stuck` seconds (blocked behind a lock: it cannot arrive, and nothing is left to race);
    `limit` bounds the wait for a thread that is none of these."""

    def __init__(self, parties, stuck=0.25, limit=2.0):
        self.parties, self.stuck, self.limit = parties, stuck, limit
        self.changed = threading.Condition()
        self.arrived, self.done, self.in_statement = set(), set(), {}

    def statement(self, who, running):
        with self.changed:
            if running:
                self.in_statement[who] = time.monotonic()
            else:
                self.in_statement.pop(who, None)
            self.changed.notify_all()

    def finished(self, who):
        with self.changed:
            self.done.add(who)
            self.changed.notify_all()

    def _others_ready(self, who):
        now = time.monotonic()
        return all(
            other in self.arrived
            or other in self.done
            or now - self.in_statement.get(other, now) >= self.stuck
            for other in range(self.parties)
            if other != who
        )

    def wait(self, who):
        deadline = time.monotonic() + self.limit
        with self.changed:
            self.arrived.add(who)
            self.changed.notify_all()
            while not self._others_ready(who) and time.monotonic() < deadline:
                self.changed.wait(0.02)


@pytest.fixture
def at_once():
    """at_once(engine, when, jobs) -> [outcome per job]: each job (a function) runs in its
    own thread, and every thread waits for the others at its first statement that
    when(STATEMENT, in capitals) picks, once it has run: so all have read before any
    writes. A thread stuck behind another's lock lets the others go on (see Meeting).
    An outcome is the job's return value or the class name of its exception;
    NotImplementedError is raised as it is."""
    from sqlalchemy import event

    def run(engine, when, jobs):
        meeting = Meeting(len(jobs))
        outcomes = [None] * len(jobs)
        me = threading.local()

        def started(conn, cursor, statement, *args):
            if hasattr(me, "index"):
                meeting.statement(me.index, running=True)

        def failed(context):  # a statement that raised is over too
            if hasattr(me, "index"):
                meeting.statement(me.index, running=False)

        def meet(conn, cursor, statement, *args):
            if not hasattr(me, "index"):
                return  # a thread of the test's own, not a racer
            meeting.statement(me.index, running=False)
            if when(" ".join(statement.upper().split())) and not getattr(me, "met", False):
                me.met = True  # once per thread
                meeting.wait(me.index)

        def work(i, job):
            me.index = i
            try:
                outcomes[i] = job()
            except NotImplementedError as exc:
                outcomes[i] = exc
            except Exception as exc:  # what the student sees instead
                outcomes[i] = type(exc).__name__
            finally:
                meeting.finished(i)

        event.listen(engine, "before_cursor_execute", started)
        event.listen(engine, "after_cursor_execute", meet)
        event.listen(engine, "handle_error", failed)
        try:
            threads = [threading.Thread(target=work, args=item) for item in enumerate(jobs)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        finally:
            event.remove(engine, "before_cursor_execute", started)
            event.remove(engine, "after_cursor_execute", meet)
            event.remove(engine, "handle_error", failed)
        for outcome in outcomes:
            if isinstance(outcome, NotImplementedError):
                raise outcome
        return outcomes

    return run


# --- the results: one record per test and file, written where tools/practice.py reads ---

RESULTS = []


def reason(excinfo, path):
    """What a student can act on, from a failed test's exception."""
    exc = excinfo.value
    if isinstance(exc, LoadError):
        return "load", str(exc), None
    ours = [f for f in excinfo.traceback if "exercise_" in f.frame.f_globals.get("__name__", "")]
    if isinstance(exc, NotImplementedError) and ours:
        name = ours[-1].name
        return "todo", f"{name} is not written yet (it raises NotImplementedError)", name
    text = str(exc)
    if isinstance(exc, AssertionError):  # the test's own message, before pytest's `assert ...`
        lines = text.splitlines()
        cut = next((i for i, line in enumerate(lines) if line.startswith("assert ")), len(lines))
        return "wrong", " ".join(" ".join(lines[:cut]).split()) or text, None
    if text.startswith("DID NOT RAISE"):
        return "wrong", f"expected {text.split()[-1].strip('<>')} to be raised; nothing was", None
    at = ""
    if ours:
        at = f" ({Path(ours[-1].path).name}, line {ours[-1].lineno + 1}, in {ours[-1].name})"
    return "error", f"{type(exc).__name__}: {' '.join(text.split())}{at}", None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" or (report.when == "setup" and not report.passed):
        spec = getattr(item, "callspec", None)
        params = dict(spec.params) if spec else {}
        path = params.pop("exercise", None)
        if path is None:
            return report
        marker = item.get_closest_marker("about")
        record = {
            "exercise": exercise_of(item.path).name,
            "file": str(Path(path).resolve()),
            "test": item.originalname,
            "doc": (item.obj.__doc__ or item.name).strip().splitlines()[0],
            "about": marker.args[0] if marker else None,
            "stretch": is_stretch(item),
            "case": "-".join(str(v) for k, v in sorted(params.items())),
            "passed": report.passed,
            "kind": None,
            "reason": "",
            "raised_in": None,
        }
        if not report.passed and call.excinfo is not None:
            record["kind"], record["reason"], record["raised_in"] = reason(call.excinfo, path)
        RESULTS.append(record)
    return report


def pytest_sessionfinish(session):
    if os.environ.get("EXERCISE_RESULTS"):
        Path(os.environ["EXERCISE_RESULTS"]).write_text(json.dumps(RESULTS, indent=1))
