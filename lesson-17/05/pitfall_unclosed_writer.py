#!/usr/bin/env python3
"""Pitfall: a batching write API that is never closed loses the points still queued.

Run:   cd lesson-17/05 && python3 pitfall_unclosed_writer.py
Needs: InfluxDB 2 (`make services` from the repository root).

The batching writer collects points and sends them from a background thread. A script
that ends without closing it ends that thread too: whatever was queued is gone. To
show it, this script runs itself a second time as a child process that forgets close().
"""

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from influxdb_client import Point, WriteOptions

from settings import bucket, connect

POINTS = 500
MEASUREMENT = "pitfall_unclosed"
START = datetime(2026, 1, 3, tzinfo=UTC)
# Big batches, sent every 1.5 s: this short script ends before the first one goes out.
OPTIONS = WriteOptions(batch_size=1_000, flush_interval=1_500)


def points():
    return [
        Point(MEASUREMENT).field("value", i).time(START + timedelta(seconds=i))
        for i in range(POINTS)
    ]


def count(client):
    query = (
        "from(bucket: bucket) |> range(start: start, stop: stop)"
        f' |> filter(fn: (r) => r._measurement == "{MEASUREMENT}") |> count()'
    )
    params = {"bucket": bucket(), "start": START, "stop": START + timedelta(days=1)}
    tables = client.query_api().query(query, params=params)
    return sum(record.get_value() for table in tables for record in table.records)


def forgetful_child():
    """Write and exit without close(): what the pitfall looks like in a real script."""
    # [start:pitfall]
    client = connect()
    client.write_api(write_options=OPTIONS).write(bucket=bucket(), record=points())
    # [end:pitfall]


def main():
    with connect() as client:
        stop = START + timedelta(days=1)
        client.delete_api().delete(START, stop, f'_measurement="{MEASUREMENT}"', bucket=bucket())
        child = subprocess.run(
            [sys.executable, __file__, "--forget-close"], capture_output=True, text=True
        )
        if child.returncode != 0:
            sys.exit(child.stderr.strip().splitlines()[-1])
        print(
            f"Pitfall: {POINTS} points written, writer never closed: "
            f"{count(client)} on the server afterwards"
        )

        # [start:fix]
        with client.write_api(write_options=OPTIONS) as write_api:  # close() on the way out
            write_api.write(bucket=bucket(), record=points())
        # [end:fix]
        print(f"Fix: the same in a `with` block: {count(client)} of {POINTS} on the server")


if __name__ == "__main__":
    if sys.argv[1:] == ["--forget-close"]:
        forgetful_child()
    else:
        main()
