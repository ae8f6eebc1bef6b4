"""The three servers `make services` starts answer with the .env settings."""

import os
import subprocess
import sys

from utils.paths import ROOT
from utils.settings import CLOSED_PORT, SETTINGS


def test_mysql_answers_select_1_in_the_configured_database(mysql_conn):
    with mysql_conn.cursor() as cur:
        cur.execute("SELECT 1, DATABASE()")
        assert cur.fetchone() == (1, SETTINGS["MYSQL_DATABASE"])


def test_dynamodb_local_lists_tables(dynamodb):
    assert "TableNames" in dynamodb.list_tables()


def test_influxdb_is_set_up_with_the_configured_bucket(influx):
    buckets = influx.flux('buckets() |> keep(columns: ["name"])')
    assert SETTINGS["INFLUXDB_BUCKET"] in {row["name"] for row in buckets}


def services(command, env=None):
    return subprocess.run(
        [sys.executable, "tools/services/services.py", command],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def healthy_names(output):
    return [line.split()[0] for line in output.splitlines() if " healthy" in line]


def test_services_status_reports_all_three_healthy():
    proc = services("status")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert healthy_names(proc.stdout) == ["mysql", "dynamodb", "influxdb"]


def test_services_up_again_is_a_no_op_that_reports_them_healthy():
    proc = services("up")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert healthy_names(proc.stdout) == ["mysql", "dynamodb", "influxdb"]
    for word in ("installing", "building", "initialising", "set up org"):
        assert word not in proc.stdout, proc.stdout


def test_services_status_names_an_unreachable_server_and_how_to_start_it():
    proc = services("status", env={"MYSQL_PORT": CLOSED_PORT})
    assert proc.returncode == 1
    assert f"mysql     NOT REACHABLE {SETTINGS['MYSQL_HOST']}:{CLOSED_PORT}" in proc.stdout
    assert healthy_names(proc.stdout) == ["dynamodb", "influxdb"]
    problem, note = proc.stderr.strip().splitlines()
    assert problem.startswith("mysql: nothing answers (") and problem.endswith(
        "Start it with: make services"
    )
    assert note == "note: exported in your shell, overriding .env: MYSQL_PORT"


def test_services_up_ends_with_where_each_server_listens():
    proc = services("up")
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("Ready: MySQL at "), proc.stdout
    for setting in ("MYSQL_HOST", "DYNAMODB_HOST", "INFLUXDB_URL"):
        assert SETTINGS[setting] in last


def test_a_long_build_step_says_what_it_does_while_it_runs():
    """The InfluxDB and Compose builds run their steps through common.run(progress=...)."""
    code = (
        "import sys; sys.path.insert(0, 'tools/services'); from common import run;"
        " run(['sleep', '2.5'], 'sleep', progress=('influxdb', 'linking influxd', 'about 3 s'),"
        " every=1)"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "influxdb  linking influxd (the whole build takes about 3 s)"
    assert lines[1] == "influxdb  still linking influxd: 1 s so far, of about 3 s in all"
    assert len(lines) == 3  # one line a second while it ran
