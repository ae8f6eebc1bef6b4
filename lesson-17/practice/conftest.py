"""Fixtures for the practice exercises, and the words `make check` prints per test.

The module under test comes from EXERCISE_FILE (a path), so the same tests run
against the starter, the reference solution, or your own file:
    make check EXERCISE=3 FILE=lesson-17/practice/3_ecommerce/mine.py
"""

import importlib.util
import os
import sys
from pathlib import Path

import pytest
from dotenv import load_dotenv

HERE = Path(__file__).resolve().parent
load_dotenv(HERE.parents[1] / ".env")  # the repository's settings, as the lesson's scripts


def load_module(path):
    folder = str(Path(path).resolve().parent)
    if folder not in sys.path:  # its *_models.py beside it, as when run as a script
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(f"exercise_{Path(path).stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # SQLAlchemy and PynamoDB look classes up by module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def exercise(request):
    """The module to check: EXERCISE_FILE, else the starter beside the test file."""
    folder = Path(request.module.__file__).parent
    sys.path.insert(0, str(folder))  # the given models, whatever file is checked
    path = os.environ.get("EXERCISE_FILE") or folder / "starter.py"
    return load_module(path)


@pytest.fixture(scope="session")
def mysql_url():
    from sqlalchemy import URL

    return URL.create(
        "mysql+pymysql",
        username=os.getenv("MYSQL_USER", "root"),
        password=os.environ["MYSQL_PASSWORD"],  # from .env: `make install` writes it
        host=os.getenv("MYSQL_HOST", "127.0.0.1"),
        port=int(os.getenv("MYSQL_PORT", "3306")),
        database=os.getenv("MYSQL_DATABASE", "demo"),
    )


@pytest.fixture
def count_statements():
    """count_statements(engine) -> a list that grows by one per SQL statement sent."""
    from sqlalchemy import event

    listening = []

    def start(engine):
        sent = []
        listener = lambda *args: sent.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        listening.append((engine, listener))
        return sent

    yield start
    for engine, listener in listening:
        event.remove(engine, "before_cursor_execute", listener)


# --- what `make check` prints: one line per test, in the words of its docstring ---

RESULTS = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" or (report.when == "setup" and not report.passed):
        doc = (item.obj.__doc__ or item.name).strip().splitlines()[0]
        if hasattr(item, "callspec"):
            doc += f" [{item.callspec.id}]"
        reason = ""
        if not report.passed and call.excinfo is not None:
            exc = call.excinfo.value
            if isinstance(exc, NotImplementedError):
                frame = call.excinfo.traceback[-1]
                reason = f"not written yet ({frame.name} raises NotImplementedError)"
            else:
                text = str(exc).strip().splitlines()
                reason = f"{type(exc).__name__}: {text[0] if text else ''}"
        RESULTS.append((report.passed, doc, reason))
    return report


def pytest_terminal_summary(terminalreporter):
    if not os.environ.get("EXERCISE_REPORT"):
        return
    write = terminalreporter.write_line
    write("")
    for passed, doc, reason in RESULTS:
        write(f"  {'done' if passed else 'TODO'}  {doc}")
        if reason:
            write(f"        {reason}")
    done = sum(passed for passed, _, _ in RESULTS)
    write(f"  {done} of {len(RESULTS)} done")
