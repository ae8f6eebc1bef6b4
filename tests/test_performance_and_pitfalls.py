"""The performance chapter and every common pitfall, run on the real servers.

Each pitfall test asserts the symptom AND the fix, so it fails if either stops being
true; the state is read back through a client the script does not use.
"""

import json
import sqlite3
import time
import urllib.error
from datetime import UTC, datetime, timedelta

import pytest

import tasks
from utils.engine import healthcheck_logins
from utils.paths import LESSON
from utils.scripts import assert_one_line_error, run_ok, run_script, run_twice, section_folder
from utils.settings import CLOSED_PORT


def scalar(mysql_conn, sql, *args):
    with mysql_conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchone()[0]


def server_connections(mysql_conn):
    with mysql_conn.cursor() as cur:
        cur.execute("SHOW GLOBAL STATUS LIKE 'Connections'")
        return int(cur.fetchone()[1])


# --- performance ---


def test_indexing_turns_a_full_scan_into_an_index_lookup(mysql_conn):
    lines = run_twice("03", "performance_indexing.py").lines
    assert lines[1] == "  without an index: type=ALL, key=None"
    assert lines[2] == "  with the index: type=ref, key=idx_index_demo_email"
    assert lines[5] == "  without an index: SCAN index_demo"
    assert lines[6].startswith("  with the index: SEARCH index_demo USING INDEX")
    assert scalar(mysql_conn, "SELECT COUNT(*) FROM index_demo") == 20_000
    found = scalar(mysql_conn, "SELECT age FROM index_demo WHERE email = 'user12345@example.com'")
    assert lines[3] == lines[7] == f"  found: id 12346, age {found}"
    assert (
        scalar(
            mysql_conn,
            "SELECT COUNT(*) FROM information_schema.statistics"
            " WHERE table_schema = DATABASE() AND index_name = 'idx_index_demo_email'",
        )
        == 1
    )


def test_batching_inserts_in_one_commit_and_updates_in_one_statement(mysql_conn):
    lines = run_twice("03", "performance_batching.py").lines
    assert lines[1] == "bulk_update_ages(+1), legacy session.query().update(): sent: UPDATE x1"
    assert lines[2] == "The same, session.execute(update(User)): 1000 rows; sent: UPDATE x1"
    # What the driver gets has a placeholder; what the server gets has the value in it.
    assert lines[3] == "  SQLAlchemy hands PyMySQL: UPDATE users SET age=(users.age + %(age_1)s)"
    assert lines[4] == "  MySQL receives: UPDATE users SET age=(users.age + 1)"
    assert scalar(mysql_conn, "SELECT COUNT(*) FROM users") == 2000
    average = float(scalar(mysql_conn, "SELECT AVG(age) FROM users WHERE email LIKE 'user%%'"))
    assert lines[5] == f"Average age: {average - 2:.2f} before, {average:.2f} after"
    bulk = scalar(mysql_conn, "SELECT COUNT(*) FROM users WHERE email LIKE 'bulk%%' AND age = 30")
    assert lines[6:8] == [
        f"bulk_insert_users, session.execute(insert(User), dicts): {bulk} more",
        "  sent: INSERT x1; users now 2000",
    ]


def test_a_global_secondary_index_reads_only_the_matching_items(dynamodb):
    lines = run_twice("04", "performance_indexes.py").lines
    scan = dynamodb.scan(
        TableName="article",
        FilterExpression="tag = :t",
        ExpressionAttributeValues={":t": {"S": "python"}},
        ReturnConsumedCapacity="TOTAL",
    )
    query = dynamodb.query(
        TableName="article",
        IndexName="tag-index",
        KeyConditionExpression="tag = :t",
        ExpressionAttributeValues={":t": {"S": "python"}},
        ReturnConsumedCapacity="TOTAL",
    )
    assert (
        lines[1] == f"scan with a filter on tag: {scan['Count']} found, {scan['ScannedCount']} read"
    )
    assert lines[2] == (
        f"query on the index tag-index: {query['Count']} found, {query['ScannedCount']} read"
    )
    assert query["Count"] == scan["Count"] < scan["ScannedCount"]
    assert query["ConsumedCapacity"]["CapacityUnits"] < scan["ConsumedCapacity"]["CapacityUnits"]


@pytest.mark.alone  # the lesson's fixed bucket and task names
def test_downsampling_writes_means_into_a_bucket_with_its_own_retention(influx):
    def last_full_hour():
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

    stop = last_full_hour()
    lines = run_twice("05", "performance_downsample.py").lines
    if last_full_hour() != stop:  # an hour began meanwhile: the script moved on with it
        stop, lines = last_full_hour(), run_twice("05", "performance_downsample.py").lines

    buckets = json.loads(influx.request("/api/v2/buckets?limit=100"))["buckets"]
    retention = {
        b["name"]: b["retentionRules"][0]["everySeconds"]
        for b in buckets
        if b["name"] in ("sensors_recent", "sensors_downsampled")
    }
    assert retention == {"sensors_recent": 7 * 86400, "sensors_downsampled": 365 * 86400}
    hour = {
        "start": f"{stop - timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}",
        "stop": f"{stop:%Y-%m-%dT%H:%M:%SZ}",
    }
    raw = influx.count("sensors_recent", "environment", **hour)
    means = influx.count("sensors_downsampled", "environment", **hour)
    assert (raw, means) == (3 * 60 * 2, 3 * 4 * 2)
    assert lines[1].startswith(f"Raw: {raw} values") and lines[2].startswith(
        f"Downsampled: {means}"
    )
    # The same query as a task the server runs every hour: one, however often the script ran.
    tasks = json.loads(influx.request("/api/v2/tasks?name=downsample%20sensors_recent"))["tasks"]
    assert [(t["every"], t["status"]) for t in tasks] == [("1h", "active")]
    assert 'to(bucket: "sensors_downsampled")' in tasks[0]["flux"]
    assert "range(start: -task.every)" in tasks[0]["flux"]
    assert lines[3] == "Task 'downsample sensors_recent': InfluxDB runs it every 1h, by itself"
    # A task that is made is not yet a task that runs: run it as the server would at the
    # end of that hour, read the server's verdict on the run, and find the very means the
    # script wrote (the bound only keeps a stuck run from hanging the suite).
    runs = f"/api/v2/tasks/{tasks[0]['id']}/runs"
    run = json.loads(influx.request(runs, json.dumps({"scheduledFor": hour["stop"]})))
    deadline = time.monotonic() + 60
    while run["status"] in ("scheduled", "started") and time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            run = json.loads(influx.request(f"{runs}/{run['id']}"))
        except urllib.error.HTTPError as exc:  # a manual run is found once it has started
            if exc.code != 404:
                raise
    assert run["status"] == "success", influx.request(f"{runs}/{run['id']}/logs")
    assert influx.count("sensors_downsampled", "environment", **hour) == means


# --- common pitfalls: the symptom, then the fix ---


def test_pitfall_open_transactions_drain_the_pool_committed_sessions_do_not():
    lines = run_twice("03", "pitfall_unclosed.py").lines
    assert lines[0].startswith("Pitfall: 2 sessions with a transaction left open hold 2 of 2")
    assert lines[1].endswith("the next one waited 1 s: TimeoutError")
    assert lines[2] == "Committed, never closed: 10 sessions hold 0 connections"
    assert lines[3].endswith("checked out after: 0")


def test_pitfall_unhandled_error_leaves_the_session_unusable(mysql_conn):
    lines = run_twice("03", "pitfall_error_handling.py").lines
    assert lines[0].endswith("PendingRollbackError")
    assert lines[1] == "Fix: caught, rolled back, reported: duplicate email (MySQL 1062)"
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT email FROM users ORDER BY id")
        assert [row[0] for row in cur.fetchall()] == ["ann@example.com", "ben@example.com"]


def test_pitfall_hard_coded_credentials_leak_into_logs(mysql_settings):
    lines = run_twice("03", "pitfall_credentials.py").lines
    password = mysql_settings["password"]
    where = f"{mysql_settings['host']}:{mysql_settings['port']}/{mysql_settings['database']}"
    user = mysql_settings["user"]
    assert lines[1] == f"  connecting to mysql+pymysql://{user}:s3cret-in-the-code@{where}"
    assert lines[3] == f"  connecting to mysql+pymysql://{user}:***@{where}"
    assert lines[4] == "Fix: .env's password appears 0 times in the log, 0 in this file"
    assert password not in "\n".join(lines)
    assert password not in (LESSON / "03" / "pitfall_credentials.py").read_text()


def test_pitfall_autocommit_leaves_half_an_order(mysql_conn):
    lines = run_twice("03", "pitfall_transactions.py").lines
    assert lines == [
        "Pitfall: autocommit per statement, the line failed: 1 order(s), 0 line(s) left",
        "Fix: one transaction, the line failed: 0 order(s), 0 line(s) left",
        # MySQL's implicit commit: the DDL committed the order the rollback meant to undo
        "Pitfall: DDL mid-transaction, then rollback(): 1 order(s), 0 line(s) left",
    ]
    tables = (
        "SELECT COUNT(*) FROM information_schema.tables"
        " WHERE table_schema = DATABASE() AND table_name = 'demo_note'"
    )
    assert scalar(mysql_conn, tables) == 1
    assert scalar(mysql_conn, "SELECT COUNT(*) FROM demo_order") == 0
    assert scalar(mysql_conn, "SELECT COUNT(*) FROM demo_order_line") == 0


def test_pitfall_no_unique_constraint_lets_two_users_share_an_email(mysql_conn):
    run_twice("03", "pitfall_schema.py")
    email = "SELECT COUNT(*) FROM {} WHERE email = 'ann@example.com'"
    assert scalar(mysql_conn, email.format("users_loose")) == 2
    assert scalar(mysql_conn, email.format("users_strict")) == 1
    unique = scalar(
        mysql_conn,
        "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE()"
        " AND table_name = 'users_strict' AND column_name = 'email' AND non_unique = 0",
    )
    assert unique == 1


@pytest.mark.alone  # counts the server's connections
def test_pitfall_no_pool_opens_a_connection_per_query(mysql_conn):
    before, started = server_connections(mysql_conn), time.monotonic()
    lines = run_twice("03", "pitfall_no_pool.py").lines
    opened = server_connections(mysql_conn) - before
    others = healthcheck_logins(time.monotonic() - started)
    assert lines == [
        "Pitfall: NullPool, 20 queries: 20 connections opened (a login each)",
        "Fix: the default QueuePool, 20 queries: 1 connection opened, reused",
    ]
    assert 2 * 21 <= opened <= 2 * 25 + others, opened  # two runs, as the server saw them


def test_pitfall_unclosed_influx_writer_loses_the_queued_points(influx):
    lines = run_twice("05", "pitfall_unclosed_writer.py").lines
    assert lines[0].endswith("0 on the server afterwards")
    stored = influx.count(influx.bucket, "pitfall_unclosed", start="2026-01-03T00:00:00Z")
    assert stored == 500
    assert lines[1] == f"Fix: the same in a `with` block: {stored} of 500 on the server"


def test_pitfall_sql_injection_through_execute_and_the_placeholder_fix(tmp_path):
    lines = run_twice("01", "pitfall_sql_injection.py").lines
    # The f-string WHERE through execute() matched every row: recount them here.
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE user(id INTEGER PRIMARY KEY, name TEXT, age INTEGER)")
    con.executemany("INSERT INTO user (name, age) VALUES (?, ?)", [("a", 1), ("b", 2), ("c", 3)])
    every = con.execute("SELECT name FROM user WHERE name = 'x' OR '1'='1'").fetchall()
    assert len(every) == 3
    assert lines[0].endswith("matched Alice, Bob, Charlie")
    with pytest.raises(sqlite3.ProgrammingError) as refused:
        con.execute("INSERT INTO user (name) VALUES ('x'); DROP TABLE user;--')")
    assert lines[2].strip() == str(refused.value)
    assert lines[3].endswith("tables left: none")
    kept = section_folder("01") / "injection.db"
    try:
        run_ok("01", "pitfall_sql_injection.py", env={"KEEP_DB": "1"})
        con = sqlite3.connect(kept)
        names = con.execute("SELECT name FROM user ORDER BY id").fetchall()
        con.close()
    finally:
        kept.unlink(missing_ok=True)
    assert names[-1] == ("Robert'); DROP TABLE user;--",)  # stored literally
    assert names[:3] == [("Alice",), ("Bob",), ("Charlie",)]
    assert lines[4] == "Fix: ? parameters: \"x' OR '1'='1\" matched 0 users;"
    assert lines[5].endswith("was stored as a name; tables left: user")
    assert not kept.exists() and not (tmp_path / "injection.db").exists()


NEEDS_A_SERVER = {
    "03": {"MYSQL_PORT": CLOSED_PORT},
    "04": {"DYNAMODB_HOST": f"http://127.0.0.1:{CLOSED_PORT}"},
    "05": {"INFLUXDB_URL": f"http://127.0.0.1:{CLOSED_PORT}"},
}
# Every lesson script that needs a server, from the one list of scripts (tasks.DEMO).
CHAPTER_SCRIPTS = [tuple(s.split("/")) for s in tasks.DEMO if s.split("/")[0] in NEEDS_A_SERVER]


# What the line names: the server and where it was looked for (the cause), then the fix.
UNREACHABLE = {
    "03": f"cannot reach MySQL at 127.0.0.1:{CLOSED_PORT} (",
    "04": f"cannot reach DynamoDB at http://127.0.0.1:{CLOSED_PORT}.",
    "05": f"cannot reach InfluxDB at http://127.0.0.1:{CLOSED_PORT}.",
}


@pytest.mark.parametrize(("section", "script"), CHAPTER_SCRIPTS)
def test_without_its_server_each_script_says_so_in_one_line(section, script):
    """The cause and the address, not only the fix: a missing token or a refused login
    also says `make services`, and is another failure."""
    result = run_script(section, script, env=NEEDS_A_SERVER[section])
    line = assert_one_line_error(result, "make services")
    assert line.startswith(f"error: {UNREACHABLE[section]}"), line
