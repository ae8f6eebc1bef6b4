#!/usr/bin/env python3
"""Query a time series with Flux: a time range, a filter, and a mean per 15-minute window.

Run:   cd lesson-17/05 && python3 write.py && python3 query.py
Needs: InfluxDB 2 (`make services`, or `docker compose up -d` here); pip install -r requirements.txt
Settings: INFLUXDB_URL, INFLUXDB_TOKEN, INFLUXDB_ORG, INFLUXDB_BUCKET (.env).
"""

import os
import sys

from dotenv import load_dotenv
from influxdb_client import InfluxDBClient
from influxdb_client.rest import ApiException

# The hour write.py fills, in 15-minute windows.
QUERY = """
from(bucket: bucket)
  |> range(start: 2026-01-01T08:00:00Z, stop: 2026-01-01T09:00:00Z)
  |> filter(fn: (r) => r._measurement == "environment")
  |> filter(fn: (r) => r._field == "temperature" or r._field == "humidity")
  |> aggregateWindow(every: 15m, fn: mean, createEmpty: false, timeSrc: "_start")
  |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
  |> group()
  |> sort(columns: ["sensor", "_time"])
"""


def main():
    load_dotenv()
    url = os.getenv("INFLUXDB_URL", "http://localhost:8086")
    bucket = os.getenv("INFLUXDB_BUCKET", "sensors")
    with InfluxDBClient(
        url=url,
        token=os.getenv("INFLUXDB_TOKEN", "lesson17-local-dev-token"),
        org=os.getenv("INFLUXDB_ORG", "lesson17"),
    ) as client:
        if not client.ping():
            sys.exit(f"error: cannot reach InfluxDB at {url}. Start it with `make services`.")
        try:
            tables = client.query_api().query(QUERY, params={"bucket": bucket})
        except ApiException as exc:
            sys.exit(
                f"error: InfluxDB refused the query: {exc.status} {exc.message or exc.reason}."
                " Check INFLUXDB_TOKEN/ORG/BUCKET."
            )

    rows = [record.values for table in tables for record in table.records]
    if not rows:
        sys.exit(f"error: no data in bucket {bucket!r} for that hour: run `python3 write.py` first")
    print(f"Mean per 15 minutes in bucket {bucket!r}, 2026-01-01 UTC:")
    for row in rows:
        start = row["_time"]
        print(
            f"{row['sensor']:<10} {start:%H:%M}  temperature {row['temperature']:5.2f} C"
            f"  humidity {row['humidity']:5.2f} %"
        )


if __name__ == "__main__":
    main()
