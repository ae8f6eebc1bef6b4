"""Fixtures: clients of the three real servers, independent of the libraries the scripts use.

Tests never skip for a missing server: these fixtures fail with the command that starts
it. Helpers (running scripts, the settings, the InfluxDB HTTP client) live in utils/.
"""

import json
import urllib.error

import pytest

import tasks
from utils import record
from utils.influx import InfluxHTTP
from utils.scripts import readme_outputs
from utils.settings import SETTINGS, START, WORKER


def pytest_addoption(parser):
    group = parser.getgroup("lesson-17", "what the session proved (make test uses these)")
    group.addoption(
        "--record-runs",
        metavar="FILE",
        help="add to FILE each script this session ran twice as a student, and each "
        "README block it compared (utils/record.py)",
    )
    group.addoption(
        "--check-runs",
        action="store_true",
        help="at the end, fail unless FILE (--record-runs) shows every lesson script run "
        "twice as a student and every README block compared: for the full run only",
    )


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """A parallel worker ended: its notes join the controller's (pytest-xdist)."""
    record.add(getattr(node, "workeroutput", {}).get("lesson17_runs", []))


def pytest_sessionfinish(session):
    config = session.config
    if hasattr(config, "workeroutput"):  # a worker: hand the notes to the controller
        config.workeroutput["lesson17_runs"] = [list(n) for n in sorted(record.NOTES)]
        return
    path = config.getoption("record_runs")
    if path:
        record.append_to(path)
    if config.getoption("check_runs"):
        if not path:
            raise pytest.UsageError("--check-runs checks the file --record-runs names")
        blocks = [f"{section}/{script}" for section, script in readme_outputs()]
        gaps = record.gaps(record.read(path), tasks.DEMO, blocks)
        if gaps:
            reporter = config.pluginmanager.get_plugin("terminalreporter")
            reporter.write_line("error: the run did not prove every lesson script:", red=True)
            for gap in gaps:
                reporter.write_line(f"  {gap}", red=True)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def unreachable(what, where, exc):
    pytest.fail(
        f"{what} is not reachable at {where} ({exc}). Start it with: {START}", pytrace=False
    )


@pytest.fixture(scope="session")
def mysql_settings():
    return {
        "host": SETTINGS["MYSQL_HOST"],
        "port": int(SETTINGS["MYSQL_PORT"]),
        "user": SETTINGS["MYSQL_USER"],
        "password": SETTINGS["MYSQL_PASSWORD"],
        "database": SETTINGS["MYSQL_DATABASE"],
    }


def mysql_connection(login):
    """A raw PyMySQL connection, or the test fails with the command that starts MySQL."""
    import pymysql

    try:
        return pymysql.connect(**login, connect_timeout=5, autocommit=True)
    except pymysql.err.OperationalError as exc:
        unreachable("MySQL", f"{login['host']}:{login['port']}", exc)


@pytest.fixture
def mysql_conn(mysql_settings):
    """As the scripts log in (03 goes through SQLAlchemy; this is the independent client)."""
    conn = mysql_connection(mysql_settings)
    yield conn
    conn.close()


@pytest.fixture
def mysql_admin(mysql_settings):
    """As root: for what the lesson's user may not do (other databases, the server's own
    tables), as `make services` does it."""
    root = {**mysql_settings, "user": "root", "password": SETTINGS["MYSQL_ROOT_PASSWORD"]}
    conn = mysql_connection(root)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def dynamodb():
    """A boto3 DynamoDB client (04 goes through PynamoDB)."""
    import boto3
    import botocore.config
    import botocore.exceptions

    client = boto3.client(
        "dynamodb",
        endpoint_url=SETTINGS["DYNAMODB_HOST"] or None,
        region_name=SETTINGS["AWS_DEFAULT_REGION"],
        aws_access_key_id=SETTINGS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=SETTINGS["AWS_SECRET_ACCESS_KEY"],
        config=botocore.config.Config(connect_timeout=5, retries={"max_attempts": 1}),
    )
    try:
        client.list_tables()
    except botocore.exceptions.BotoCoreError as exc:
        unreachable("DynamoDB", SETTINGS["DYNAMODB_HOST"], exc)
    return client


@pytest.fixture(scope="session")
def influx():
    """InfluxDB's HTTP API through urllib (05 goes through influxdb-client)."""
    client = InfluxHTTP()
    try:
        health = json.loads(client.request("/health"))
    except (urllib.error.URLError, OSError) as exc:
        unreachable("InfluxDB", client.url, exc)
    assert health["status"] == "pass", health
    return client


@pytest.fixture(scope="session", autouse=True)
def worker_namespace(request, mysql_settings):
    """In a parallel run, this worker's own database (marked as the lesson's, as `make
    services` marks demo) and bucket exist before its first test, and go after its last,
    with the tables of its DynamoDB key (the names: utils/settings.py)."""
    if not WORKER:
        yield
        return
    from tools.services import env_settings, influxdb_server, mysql_server

    dynamodb = request.getfixturevalue("dynamodb")  # only now: a serial run needs no server
    request.getfixturevalue("influx")  # InfluxDB answers, or the run fails saying how to start it
    s = env_settings.read_settings()  # the worker's names, exported by utils/settings.py
    database = s["MYSQL_DATABASE"]
    server = {**mysql_settings, "database": None}
    with mysql_connection(server) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE IF NOT EXISTS `{database}`")
    mysql_server.mark_as_the_lessons(s)  # else an exercise's tables, made there first,
    # would make the 03 scripts refuse it as somebody else's
    influxdb_server.make_bucket(s, s["INFLUXDB_BUCKET"])
    yield
    with mysql_connection(server) as conn, conn.cursor() as cur:
        cur.execute("SHOW DATABASES LIKE %s", (database.replace("_", "\\_") + "%",))
        for (name,) in cur.fetchall():  # demo_gw0, and what scripts made (demo_gw0_migrations)
            cur.execute(f"DROP DATABASE `{name}`")
    influxdb_server.delete_buckets(s, [s["INFLUXDB_BUCKET"]])
    for table in dynamodb.list_tables()["TableNames"]:  # this worker's key sees only its own
        dynamodb.delete_table(TableName=table)
