"""Shared test harness: run lesson scripts as a student does, and reach the real servers.

Tests never skip for a missing server: the fixtures below fail with the command that
starts it.
"""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "lesson-17"
START = "make services"
CLOSED_PORT = "1"  # nothing listens on port 1 of the loopback address

# What 02 and 03 print: the same ORM code on SQLite and on MySQL.
ORM_OUTPUT = [
    "User(id=1, name='alice', age=30)",
    "   Address(id=1, email_address='alice@example.com')",
    "User(id=3, name='charlie', age=35)",
    "   Address(id=3, email_address='charlie@example.com')",
]

# The same settings the scripts see: .env.example's defaults, .env, then the environment.
SETTINGS = {
    **dotenv_values(ROOT / ".env.example"),
    **dotenv_values(ROOT / ".env"),
}
SETTINGS.update({k: v for k, v in os.environ.items() if k in SETTINGS})


def lesson_files():
    """Every .py file under lesson-17/."""
    return sorted(p for p in LESSON.rglob("*.py") if "__pycache__" not in p.parts)


def is_script(path):
    """A lesson file a student runs (the others are modules the scripts import)."""
    return 'if __name__ == "__main__":' in path.read_text()


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def lines(self):
        return self.stdout.splitlines()


def run_script(section, script, env=None, timeout=120):
    """`cd lesson-17/<section> && python3 <script>` with this venv's interpreter."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, script],
        cwd=LESSON / section,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def run_ok(section, script, env=None):
    """Run a script that must succeed; the failure message carries its stderr."""
    result = run_script(section, script, env)
    assert result.returncode == 0, (
        f"{section}/{script} exited {result.returncode}:\n{result.stderr}"
    )
    return result


def assert_one_line_error(result, *needles):
    """An expected failure: non-zero exit, nothing on stdout, one actionable stderr line."""
    assert result.returncode != 0, result.stdout
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def unreachable(what, where, exc):
    pytest.fail(
        f"{what} is not reachable at {where} ({exc}). Start it with: {START}", pytrace=False
    )


# --- independent clients of the three servers (not the libraries the scripts use) ---


@pytest.fixture(scope="session")
def mysql_settings():
    return {
        "host": SETTINGS["MYSQL_HOST"],
        "port": int(SETTINGS["MYSQL_PORT"]),
        "user": SETTINGS["MYSQL_USER"],
        "password": SETTINGS["MYSQL_PASSWORD"],
        "database": SETTINGS["MYSQL_DATABASE"],
    }


@pytest.fixture
def mysql_conn(mysql_settings):
    """A raw PyMySQL connection (03 goes through SQLAlchemy)."""
    import pymysql

    try:
        conn = pymysql.connect(**mysql_settings, connect_timeout=5, autocommit=True)
    except pymysql.err.OperationalError as exc:
        unreachable("MySQL", f"{mysql_settings['host']}:{mysql_settings['port']}", exc)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def dynamodb():
    """A boto3 DynamoDB client (04 goes through PynamoDB)."""
    import boto3
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


class InfluxHTTP:
    """InfluxDB's HTTP API through urllib (05 goes through influxdb-client)."""

    def __init__(self):
        self.url = SETTINGS["INFLUXDB_URL"].rstrip("/")
        self.token = SETTINGS["INFLUXDB_TOKEN"]
        self.org = SETTINGS["INFLUXDB_ORG"]
        self.bucket = SETTINGS["INFLUXDB_BUCKET"]

    def request(self, path, body=None, content_type="application/json", accept=None):
        import urllib.request

        headers = {"Authorization": f"Token {self.token}", "Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.url + path, data=data, headers=headers)
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.read().decode()

    def flux(self, query):
        """Run Flux; return the rows of the annotated-CSV answer as dicts."""
        import csv
        import json
        from urllib.parse import quote

        text = self.request(
            f"/api/v2/query?org={quote(self.org)}",
            json.dumps({"query": query, "dialect": {"annotations": []}}),
            accept="application/csv",
        )
        rows, header = [], None
        for record in csv.reader(text.splitlines()):
            if not record or not any(record):
                header = None  # a blank line separates tables, each with its own header
            elif header is None:
                header = record
            else:
                rows.append(dict(zip(header, record, strict=True)))
        return rows


@pytest.fixture(scope="session")
def influx():
    import json
    import urllib.error

    client = InfluxHTTP()
    try:
        health = json.loads(client.request("/health"))
    except (urllib.error.URLError, OSError) as exc:
        unreachable("InfluxDB", client.url, exc)
    assert health["status"] == "pass", health
    return client
