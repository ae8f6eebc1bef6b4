"""`make doctor`: one line per check, and each problem named with its fix."""

import os
import re
import shutil
import subprocess

from utils.paths import ROOT
from utils.settings import CLOSED_PORT, SETTINGS


def doctor(*args, **env):
    proc = subprocess.run(
        ["python3", "tools/doctor.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    verdicts = {}
    for line in proc.stdout.splitlines():
        found = re.match(r"(ok|warn|FAIL)\s+(\S+)\s+(.*)", line)
        if found:
            verdicts.setdefault(found.group(2), []).append((found.group(1), found.group(3)))
    return proc, verdicts


def only(verdicts, topic):
    (verdict,) = verdicts[topic]
    return verdict


def test_make_doctor_finds_nothing_wrong_on_a_working_set_up(mysql_conn, dynamodb, influx):
    proc = subprocess.run(
        ["make", "--no-print-directory", "doctor"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout
    for topic in ("python", "venv", ".env", "shell", "mysql", "dynamodb", "influxdb"):
        assert f"ok    {topic}" in proc.stdout, proc.stdout
    assert "FAIL" not in proc.stdout
    assert proc.stdout.rstrip().endswith("All set: `make demo` runs every example.")


def test_doctor_names_each_provoked_cause_and_its_fix(tmp_path, mysql_conn, dynamodb, influx):
    proc, verdicts = doctor(
        "--venv",
        str(tmp_path / "no-venv"),
        MYSQL_PASSWORD="not-the-password",  # pragma: allowlist secret
        INFLUXDB_TOKEN="not-the-token",
        AWS_ACCESS_KEY_ID="has-a-dash",
        INFLUXDB_PORT=SETTINGS["INFLUXDB_PORT"],  # exported, but the same value as .env
    )
    assert proc.returncode == 1
    assert only(verdicts, "venv") == (
        "FAIL",
        f"no virtualenv at {tmp_path / 'no-venv'}: run `make install`",
    )
    verdict, message = only(verdicts, "shell")
    assert verdict == "warn"
    for name in ("AWS_ACCESS_KEY_ID", "INFLUXDB_TOKEN", "MYSQL_PASSWORD"):
        assert name in message
    verdict, message = only(verdicts, "settings")
    assert verdict == "FAIL" and "AWS_ACCESS_KEY_ID='has-a-dash'" in message
    assert "letters and digits only" in message
    verdict, message = only(verdicts, "mysql")
    assert verdict == "FAIL" and "refuses MYSQL_USER/MYSQL_PASSWORD" in message
    verdict, message = only(verdicts, "influxdb")
    assert verdict == "FAIL" and "refuses INFLUXDB_TOKEN" in message
    assert "keeps the token it was set up with" in message  # the data folder's credentials
    assert "problem(s)" in proc.stdout.splitlines()[-1]


def test_doctor_tells_a_stopped_server_from_a_port_held_by_another_program(mysql_conn):
    _, verdicts = doctor(MYSQL_PORT=CLOSED_PORT)
    verdict, message = only(verdicts, "mysql")
    assert verdict == "FAIL" and message.endswith("`make services` starts it")
    # InfluxDB's port answers HTTP, not the MySQL protocol: something else holds it.
    _, verdicts = doctor(MYSQL_PORT=SETTINGS["INFLUXDB_PORT"])
    verdict, message = only(verdicts, "mysql")
    assert verdict == "FAIL"
    assert f"port {SETTINGS['INFLUXDB_PORT']} is held by a program that does not answer" in message


def test_doctor_rejects_malformed_urls_and_ports():
    _, verdicts = doctor(DYNAMODB_HOST="localhost:8000", MYSQL_PORT="abc")
    messages = [message for verdict, message in verdicts["settings"] if verdict == "FAIL"]
    assert "MYSQL_PORT must be a number, not 'abc'" in messages
    assert "DYNAMODB_HOST must look like http://host:port, not 'localhost:8000'" in messages


def test_doctor_names_the_variables_a_dot_env_lacks(tmp_path):
    """An old .env, copied before .env.example gained a variable."""
    shutil.copytree(
        ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / ".env.example", tmp_path)
    lines = (ROOT / ".env.example").read_text().splitlines()
    kept = [line for line in lines if not line.startswith(("INFLUXDB_ORG=", "AWS_DEFAULT_REGION="))]
    (tmp_path / ".env").write_text("\n".join(kept) + "\n")
    proc = subprocess.run(
        ["python3", "tools/doctor.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 1
    line = next(line for line in proc.stdout.splitlines() if line.startswith("FAIL  .env"))
    assert line.endswith("lacks AWS_DEFAULT_REGION, INFLUXDB_ORG: copy them from .env.example")
