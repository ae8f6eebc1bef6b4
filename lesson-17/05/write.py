#!/usr/bin/env python3
"""Write a time series to InfluxDB in batches: three sensors, one hour, one point a minute.

Run:   cd lesson-17/05 && python3 write.py
Needs: InfluxDB 2 (`make services` from the repository root); pip install -r requirements.txt
Settings: INFLUXDB_URL, INFLUXDB_TOKEN, INFLUXDB_ORG, INFLUXDB_BUCKET (.env).
"""

import sys

from influxdb_client import Point, WriteOptions

from sensors import MINUTES, SENSORS, START, values
from settings import bucket, check_message, connect

BATCH_SIZE = 50


# [start:point]
def point(sensor, when, temperature, humidity):
    """One reading: a measurement, a tag that names its series, two fields, a time."""
    return (
        Point("environment")
        .tag("sensor", sensor)
        .field("temperature", temperature)
        .field("humidity", humidity)
        .time(when)
    )
    # [end:point]


def readings(start=START):
    """The sample hour of sensors.py, as points."""
    return (point(*reading) for reading in values(start))


def main():
    target = bucket()
    written, errors = [], []

    with connect() as client:  # URL, token and org from .env
        # [start:write]
        options = WriteOptions(batch_size=BATCH_SIZE, flush_interval=1_000, max_retries=2)
        # The writer sends batches from a background thread; it reports each to a
        # callback. Leaving the `with` block flushes the last batch and waits for it.
        with client.write_api(
            write_options=options,
            success_callback=lambda _conf, data: written.append(data.count(b"\n") + 1),
            error_callback=lambda _conf, _data, exc: errors.append(exc),
        ) as write_api:
            write_api.write(bucket=target, record=readings())
        # [end:write]

    if errors:
        exc = errors[0]
        status, message = getattr(exc, "status", None), getattr(exc, "message", None) or exc
        reason = f"{status or ''} {message}".strip()
        sys.exit(f"error: InfluxDB refused the write: {reason}. {check_message(status, message)}")
    print(f"Wrote {sum(written)} points to bucket {target!r} in batches of {BATCH_SIZE}")
    print(f"{len(SENSORS)} sensors x {MINUTES} minutes from {START:%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
