"""05: influxdb-client writes and queries InfluxDB 2; read back through the HTTP API."""

import os
import re
import subprocess
from collections import defaultdict
from datetime import datetime

import pytest
from dotenv import dotenv_values

from utils.paths import LESSON, ROOT
from utils.scripts import assert_one_line_error, run_ok, run_script, run_twice
from utils.settings import CLOSED_PORT, SETTINGS

HOUR = "range(start: 2026-01-01T08:00:00Z, stop: 2026-01-01T09:00:00Z)"
RAW = f'from(bucket: "{SETTINGS["INFLUXDB_BUCKET"]}") |> {HOUR}'
RAW += ' |> filter(fn: (r) => r._measurement == "environment")'


def test_write_reports_every_point_and_a_rerun_overwrites(influx):
    first = run_twice("05", "write.py")
    rows = influx.flux(RAW)
    points = {(r["sensor"], r["_time"]) for r in rows}
    bucket = SETTINGS["INFLUXDB_BUCKET"]
    assert first.lines[0] == f"Wrote {len(points)} points to bucket '{bucket}' in batches of 50"
    assert first.lines[1] == "3 sensors x 60 minutes from 2026-01-01 08:00 UTC"
    # Two runs, yet one value per sensor, field and minute: the second overwrote the first.
    assert len(rows) == len(points) * 2 == 3 * 60 * 2
    assert {r["_field"] for r in rows} == {"temperature", "humidity"}


def expected_lines_from_raw_points(influx):
    """The 15-minute means, computed here from the raw points."""
    values = defaultdict(list)
    for r in influx.flux(RAW):
        minute = datetime.fromisoformat(r["_time"].replace("Z", "+00:00"))
        window = minute.replace(minute=minute.minute // 15 * 15)
        values[(r["sensor"], window, r["_field"])].append(float(r["_value"]))
    mean = {key: sum(v) / len(v) for key, v in values.items()}
    windows = sorted({(sensor, window) for sensor, window, _ in mean})
    return [
        f"{sensor:<10} {window:%H:%M}"
        f"  temperature {mean[sensor, window, 'temperature']:5.2f} C"
        f"  humidity {mean[sensor, window, 'humidity']:5.2f} %"
        for sensor, window in windows
    ]


def test_query_prints_the_windowed_means_twice_the_same(influx):
    run_ok("05", "write.py")
    first = run_twice("05", "query.py")
    bucket = SETTINGS["INFLUXDB_BUCKET"]
    assert first.lines[0] == f"Mean per 15 minutes in bucket '{bucket}', 2026-01-01 UTC:"
    assert first.lines[1:] == expected_lines_from_raw_points(influx)
    assert len(first.lines) == 1 + 3 * 4


def test_unreachable_server_is_one_actionable_line():
    env = {"INFLUXDB_URL": f"http://127.0.0.1:{CLOSED_PORT}"}
    for script in ("write.py", "query.py"):
        assert_one_line_error(
            run_script("05", script, env=env), env["INFLUXDB_URL"], "make services"
        )


@pytest.mark.parametrize(
    ("setting", "value", "refused"),
    [
        ("INFLUXDB_TOKEN", "not-the-token", "401"),
        ("INFLUXDB_ORG", "no_such_org", "organization name"),
        ("INFLUXDB_BUCKET", "no_such_bucket", "bucket"),
    ],
)
def test_a_refused_setting_is_named_alone(influx, setting, value, refused):
    """The server says which setting it refused: the line names that one, not all three."""
    for script in ("write.py", "query.py"):
        line = assert_one_line_error(run_script("05", script, env={setting: value}), refused)
        named = {
            name for name in ("INFLUXDB_TOKEN", "INFLUXDB_ORG", "INFLUXDB_BUCKET") if name in line
        }
        assert named == {setting}, line
        assert f"{setting} (exported in your shell, which overrides .env)" in line


@pytest.mark.alone  # replaces the scripts' token, which every other test uses
def test_a_wrong_token_in_dot_env_is_fixed_by_the_command_the_line_gives(influx):
    env_file = ROOT / ".env"
    text = env_file.read_text()
    env_file.write_text(re.sub(r"(?m)^INFLUXDB_TOKEN=.*$", "INFLUXDB_TOKEN=not-the-token", text))
    as_a_student = {k: v for k, v in os.environ.items() if k != "INFLUXDB_TOKEN"}
    try:
        line = assert_one_line_error(run_script("05", "write.py", base_env=as_a_student), "401")
        assert line.endswith(
            "Check INFLUXDB_TOKEN in .env: `make services` (from the repository root) makes "
            "the lesson's token and writes it into .env"
        ), line
        fixed = subprocess.run(
            ["make", "--no-print-directory", "services"],
            cwd=ROOT,
            env=as_a_student,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert fixed.returncode == 0, fixed.stdout + fixed.stderr
        assert run_script("05", "write.py", base_env=as_a_student).returncode == 0
    finally:
        token = dotenv_values(env_file)["INFLUXDB_TOKEN"]
        if token == "not-the-token":  # the fix failed: the old line back, as it was
            env_file.write_text(text)
        SETTINGS["INFLUXDB_TOKEN"] = influx.token = dotenv_values(env_file)["INFLUXDB_TOKEN"]


def test_section_env_example_matches_the_root_one():
    section = dotenv_values(LESSON / "05" / ".env.example")
    root = dotenv_values(ROOT / ".env.example")
    assert set(section) == {"INFLUXDB_URL", "INFLUXDB_TOKEN", "INFLUXDB_ORG", "INFLUXDB_BUCKET"}
    assert section == {name: root[name] for name in section}
