"""Faults lose nothing: a server restart, a unit of work that fails half way, racing
writers, and a write batch sent while InfluxDB is down. All against the real servers."""

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import URL, create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from utils.paths import ROOT
from utils.scripts import run_twice


def restart(server):
    """Stop and start one server, as `python -m tools.services restart NAME` does."""
    proc = subprocess.run(
        [sys.executable, "-m", "tools.services", "restart", server],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return True


def mysql_url(settings):
    return URL.create(
        "mysql+pymysql",
        username=settings["user"],
        password=settings["password"],
        host=settings["host"],
        port=settings["port"],
        database=settings["database"],
    )


@pytest.mark.alone  # restarts MySQL
def test_pre_ping_survives_a_mysql_restart_that_breaks_a_plain_pool(mysql_settings):
    url = mysql_url(mysql_settings)
    checked = create_engine(url, pool_size=1, pool_pre_ping=True)
    plain = create_engine(url, pool_size=1, pool_pre_ping=False)
    try:
        for engine in (checked, plain):  # each pool now holds one open connection
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        restart("mysql")

        with checked.connect() as conn:  # pre-ping notices the dead connection, reconnects
            assert conn.execute(text("SELECT 1")).scalar() == 1
        with pytest.raises(OperationalError) as failure, plain.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert failure.value.orig.args[0] in (2006, 2013)  # gone away / lost connection
        assert failure.value.connection_invalidated
        with plain.connect() as conn:  # the pool threw the dead one away: the next works
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        checked.dispose()
        plain.dispose()


def test_a_unit_of_work_that_fails_half_way_leaves_no_rows(mysql_settings, mysql_conn):
    with mysql_conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS fault_order_line")
        cur.execute(
            "CREATE TABLE fault_order_line (id INT PRIMARY KEY, sku VARCHAR(20) NOT NULL UNIQUE)"
        )
    engine = create_engine(mysql_url(mysql_settings))
    insert = text("INSERT INTO fault_order_line (id, sku) VALUES (:id, :sku)")
    try:
        with pytest.raises(IntegrityError), Session(engine) as session:
            session.execute(insert, {"id": 1, "sku": "apple"})
            session.execute(insert, {"id": 2, "sku": "pear"})  # sent to the server...
            session.execute(insert, {"id": 3, "sku": "apple"})  # ...then this one fails
            session.commit()  # never reached: leaving the block rolls back
        with mysql_conn.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM fault_order_line")
            assert cur.fetchone() == (0,)
    finally:
        engine.dispose()
        with mysql_conn.cursor() as cur:
            cur.execute("DROP TABLE fault_order_line")


def test_racing_writers_lose_increments_unless_versioned(dynamodb):
    first = run_twice("04", "advanced_concurrency.py")
    threads, rounds = 8, 5
    items = {
        item["page"]["S"]: item
        for table in ("page_counter", "view_counter")
        for item in dynamodb.scan(TableName=table)["Items"]
    }
    stored = {page: int(item["views"]["N"]) for page, item in items.items()}
    # Read-modify-write with every thread lined up: one increment per round survives.
    assert stored == {"/naive": rounds, "/versioned": threads * rounds, "/atomic": threads * rounds}
    # The atomic counter lives in a model without a version: nothing there to reset.
    assert "version" not in items["/atomic"] and "version" not in items["/naive"]
    total = threads * rounds
    assert first.lines == [
        f"Read, add, write back: {total} increments, stored {rounds}, lost {total - rounds}",
        f"With a version attribute: {total} increments, stored {total}, lost 0",
        "  conflicts caught and retried: yes",
        f"With an atomic ADD update: {total} increments, stored {total}, lost 0",
    ]
    version = dynamodb.get_item(TableName="page_counter", Key={"page": {"S": "/versioned"}})
    assert int(version["Item"]["version"]["N"]) == total + 1  # one per save, plus the reset


@pytest.mark.alone  # restarts InfluxDB
def test_batched_influx_writes_survive_a_server_restart(influx):
    from influxdb_client import InfluxDBClient, Point, WriteOptions

    points, measurement = 3000, "fault_restart"
    start = datetime(2026, 1, 2, tzinfo=UTC)
    failures, restarted = [], []
    options = WriteOptions(
        batch_size=100,
        flush_interval=200,
        max_retries=10,
        retry_interval=500,
        max_retry_delay=4_000,
        max_retry_time=120_000,
        exponential_base=2,
    )
    client = InfluxDBClient(url=influx.url, token=influx.token, org=influx.org, timeout=10_000)
    with (
        client,
        client.write_api(
            write_options=options, error_callback=lambda _c, _d, exc: failures.append(exc)
        ) as write_api,
    ):
        for i in range(points):
            record = Point(measurement).field("i", i).time(start + timedelta(seconds=i))
            write_api.write(bucket=influx.bucket, record=record)
            if i == points // 3:
                # The server goes away while batches are queued; restart() waits until
                # it answers again. Meanwhile the client keeps queueing and retrying.
                stopper = threading.Thread(target=lambda: restarted.append(restart("influxdb")))
                stopper.start()
            if i % 100 == 0:
                time.sleep(0.02)  # spread the writes over the restart
        stopper.join()
    assert restarted, "the restart failed: see its output above"
    # Leaving the `with` flushed the queue: every point is on the server, none twice.
    assert failures == []
    assert influx.count(influx.bucket, measurement, start="2026-01-02T00:00:00Z") == points
