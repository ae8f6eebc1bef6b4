"""05: influxdb-client writes and queries InfluxDB 2; read back through the HTTP API."""

from collections import defaultdict
from datetime import datetime

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


def test_wrong_token_names_the_settings_to_check():
    env = {"INFLUXDB_TOKEN": "not-the-token"}
    assert_one_line_error(run_script("05", "write.py", env=env), "401", "INFLUXDB_TOKEN")
    assert_one_line_error(run_script("05", "query.py", env=env), "401", "INFLUXDB_TOKEN")


def test_section_env_example_matches_the_root_one():
    section = dotenv_values(LESSON / "05" / ".env.example")
    root = dotenv_values(ROOT / ".env.example")
    assert set(section) == {"INFLUXDB_URL", "INFLUXDB_TOKEN", "INFLUXDB_ORG", "INFLUXDB_BUCKET"}
    assert section == {name: root[name] for name in section}
