"""The three servers `make services` starts answer with the .env settings."""

import subprocess
import sys

from conftest import ROOT, SETTINGS


def test_mysql_answers_select_1_in_the_configured_database(mysql_conn):
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT 1, DATABASE()")
        assert cur.fetchone() == (1, SETTINGS["MYSQL_DATABASE"])


def test_dynamodb_local_lists_tables(dynamodb):
    assert "TableNames" in dynamodb.list_tables()


def test_influxdb_is_set_up_with_the_configured_bucket(influx):
    buckets = influx.flux('buckets() |> keep(columns: ["name"])')
    assert SETTINGS["INFLUXDB_BUCKET"] in {row["name"] for row in buckets}


def test_services_status_reports_all_three_healthy():
    proc = subprocess.run(
        [sys.executable, "tools/services/services.py", "status"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    healthy = [line.split()[0] for line in proc.stdout.splitlines() if " healthy " in line]
    assert healthy == ["mysql", "dynamodb", "influxdb"]
